// The emergency board (issue 17): for who receives notices, the open notices of one of
// their services by ETA (red: not acknowledged, amber: acknowledged, green: accepted), those
// closed in the last 12 hours below; "Sent" (?box=sent): the notices of the reader's sending
// team. Live: every transfer:changed or transfer:alarm renders the page again.
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../lib/auth';
import { isDomainError } from '../../lib/errors';
import { TRANSFER_SENDER_ROLES } from '../../lib/policy/transfer-access';
import { getRuntime } from '../../lib/runtime';
import { sentTransfers, transferBoard, type TransferBoard, type TransferRow } from '../../lib/transfers/list-transfers';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import { ServiceChoice } from './_parts/service-choice';
import { TransferCards } from './_parts/transfer-cards';
import { TransferLive } from './_parts/transfer-live';
import styles from './_parts/transfers.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Emergency' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim().slice(0, 64) || undefined;

export default async function TransfersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const serviceId = first(query.serviceId);
  const user = await requireSignedInUser(`/transfers${query.box === 'sent' ? '?box=sent' : ''}`);
  const client = clientAddressFromNormalizedHeaders(await headers());
  const principal = { userId: user.id, email: user.email, ip: client.ip };
  const runtime = getRuntime();
  const sends = user.memberships.some((membership) => TRANSFER_SENDER_ROLES.includes(membership.role));
  let board: TransferBoard | null = null;
  let problem = '';
  try {
    board = await transferBoard(runtime, principal, serviceId);
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'NOT_FOUND') throw error;
    problem = 'You do not receive notices for that service.';
  }
  const receives = (board?.services.length ?? 0) > 0;
  const box = query.box === 'sent' || (!receives && sends) ? 'sent' : 'board';
  let sent: { open: TransferRow[]; closed: TransferRow[] } | null = null;
  if (box === 'sent') sent = await sentTransfers(runtime, principal);
  const shown = box === 'board' ? board : sent;
  const chosen = board?.services.find((service) => service.id === board.serviceId);

  return (
    <>
      <PortalHeader user={user} />
      <TransferLive />
      <main id="main" className="wide">
        <div className={styles.top}>
          <h1>Emergency transfers</h1>
          {sends && (
            <Link className={`button ${styles.newNotice}`} href="/transfers/new" data-testid="new-transfer">
              New transfer notice
            </Link>
          )}
        </div>
        {receives && sends && (
          <nav className={styles.tabs} aria-label="Emergency transfers">
            <Link href="/transfers" className={styles.tab} aria-current={box === 'board' ? 'page' : undefined}>
              Board
            </Link>
            <Link href="/transfers?box=sent" className={styles.tab} aria-current={box === 'sent' ? 'page' : undefined}>
              Sent
            </Link>
          </nav>
        )}
        {problem && (
          <div className="alert error" role="alert">
            {problem}
          </div>
        )}
        {box === 'board' && board && board.services.length > 1 && board.serviceId && <ServiceChoice services={board.services} serviceId={board.serviceId} />}
        {box === 'board' && !receives && !problem && (
          <div className={styles.empty}>
            <p>
              <strong>You receive no transfer notices.</strong> The members of a service (and the facility&rsquo;s administrators) receive the notices sent to
              it; ask your administrator to add you to a service (Administration › Services).
            </p>
          </div>
        )}
        {shown && (receives || box === 'sent') && (
          <>
            <h2>
              {box === 'board' ? `Open — ${chosen ? `${chosen.name}, ${chosen.facilityName}` : ''}` : 'Sent — open'} ({shown.open.length})
            </h2>
            {shown.open.length ? (
              <TransferCards rows={shown.open} side={box} label={box === 'board' ? 'Open notices, by ETA' : 'Open notices you sent'} />
            ) : (
              <p className={styles.empty} data-testid="transfers-empty">
                {box === 'board' ? 'No patient on the way. A new notice rings here and on every page.' : 'No open notice.'}
              </p>
            )}
            <h2>{box === 'board' ? 'Closed in the last 12 hours' : 'Closed in the last day'}</h2>
            {shown.closed.length ? <TransferCards rows={shown.closed} side={box} label="Closed notices" /> : <p className={styles.muted}>None.</p>}
          </>
        )}
      </main>
    </>
  );
}
