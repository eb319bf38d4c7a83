// Second opinions: the expert's inbox (cases addressed to me or to one of my
// services, by due time, with Claim for pool cases) and "My referrals" (the
// cases I asked, newest change first), one page, two tabs (?box=mine). The
// lists come from lib/referrals (who sees which case is decided there); the
// filters live in the URL (a GET form). New cases and changes appear without
// a reload: the header's socket passes referral:changed on, and
// FollowReferralChanges renders the page again.
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../lib/auth';
import { isDomainError } from '../../lib/errors';
import { listMyReferrals, listReferralInbox, type ReferralList } from '../../lib/referrals/list-referrals';
import { getRuntime } from '../../lib/runtime';
import { PortalHeader } from '../_components/portal-header';
import worklistStyles from '../_components/worklist/worklist.module.css';
import { requireSignedInUser } from '../_lib/current-user';
import { auditPageView } from '../_lib/page-audit';
import { FollowReferralChanges } from './follow-referral-changes';
import { InboxNotices } from './inbox-notices';
import { ReferralFilters, type FilterValues } from './referral-filters';
import { InboxTable, MyReferralsTable } from './referral-tables';
import styles from './referrals.module.css';
import { StatAlertToggle } from './stat-alert-toggle';

export const dynamic = 'force-dynamic';

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

function pageLink(box: 'inbox' | 'mine', values: FilterValues, page: number): string {
  const params = new URLSearchParams();
  if (box === 'mine') params.set('box', 'mine');
  for (const [key, value] of Object.entries(values)) if (value && !(key === 'status' && value === 'open')) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/referrals?${query}` : '/referrals';
}

export default async function ReferralsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const box = first(query.box) === 'mine' ? 'mine' : 'inbox';
  const values: FilterValues = { status: first(query.status), priority: first(query.priority), modality: first(query.modality).toUpperCase(), facilityId: box === 'inbox' ? first(query.facilityId) : '' };
  const page = first(query.page);
  const user = await requireSignedInUser(pageLink(box, values, Number(page) || 1));
  const client = clientAddressFromNormalizedHeaders(await headers());
  const principal = { userId: user.id, email: user.email, ip: client.ip };
  const input = Object.fromEntries(Object.entries({ ...values, page }).filter(([, value]) => value));
  const now = new Date();

  let list: ReferralList | null = null;
  let errors: Record<string, string> = {};
  let failure = '';
  try {
    list = box === 'mine' ? await listMyReferrals(getRuntime(), principal, input, now) : await listReferralInbox(getRuntime(), principal, input, now);
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'INVALID_INPUT') throw error;
    errors = error.fields ?? {};
    failure = error.userMessage;
  }
  const filtered = Boolean(values.priority || values.modality || values.facilityId || (values.status && values.status !== 'open'));
  if (list) {
    await auditPageView(user, {
      action: 'portal.referrals',
      outcome: 'SUCCESS',
      resource: box === 'mine' ? 'referrals?box=mine' : 'referrals',
      details: { box, filters: input, page: list.page, shown: list.rows.length, total: list.total },
    });
  }
  const pages = list ? Math.max(1, Math.ceil(list.total / list.pageSize)) : 1;
  const caseWord = (count: number) => (count === 1 ? '1 case' : `${count} cases`);

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className="wide">
        <div className={styles.top}>
          <h1>Second opinions</h1>
          {box === 'inbox' && <StatAlertToggle />}
        </div>
        <nav className={styles.tabs} aria-label="Second opinions">
          <Link href="/referrals" className={styles.tab} aria-current={box === 'inbox' ? 'page' : undefined}>
            Inbox
          </Link>
          <Link href="/referrals?box=mine" className={styles.tab} aria-current={box === 'mine' ? 'page' : undefined}>
            My referrals
          </Link>
        </nav>
        <FollowReferralChanges />
        <InboxNotices />
        {list && (
          <p className="lead" aria-live="polite" data-testid="referral-total">
            {box === 'inbox'
              ? `${caseWord(list.total)}${filtered ? ' match' : ' open'}, the first due at the top.`
              : `${caseWord(list.total)}${filtered ? ' match' : ''}, the latest change at the top.`}
          </p>
        )}
        <ReferralFilters box={box} values={values} facilities={list?.facilities ?? []} errors={errors} />
        {failure && (
          <div className="alert error" role="alert">
            {failure}
          </div>
        )}
        {list && list.total === 0 && (
          <div className={styles.empty} data-testid="referrals-empty">
            {filtered ? (
              <p>
                No case matches these filters. <Link href={box === 'mine' ? '/referrals?box=mine' : '/referrals'}>Clear the filters</Link> to see every open case.
              </p>
            ) : box === 'inbox' ? (
              <>
                <p>
                  <strong>Your inbox is empty.</strong> Cases addressed to you, or to a service you belong to, appear here as soon as they are sent; this page
                  updates by itself.
                </p>
                <p>To receive a service&rsquo;s cases, ask your facility&rsquo;s administrator to add you to the service (Administration › Services).</p>
                <p>
                  To ask a colleague yourself, open a study from the <Link href="/">worklist</Link> and choose <em>Ask for a second opinion</em>.
                </p>
              </>
            ) : (
              <p>
                <strong>You have not asked for a second opinion yet.</strong> Open a study or a patient from the <Link href="/">worklist</Link> and choose{' '}
                <em>Ask for a second opinion</em>: the case, its messages and the signed report are followed here.
              </p>
            )}
          </div>
        )}
        {list && list.total > 0 && (
          <>
            {box === 'inbox' ? (
              <InboxTable rows={list.rows} now={now.toISOString()} caption={`Your inbox: ${caseWord(list.total)}, the first due at the top`} />
            ) : (
              <MyReferralsTable rows={list.rows} now={now.toISOString()} caption={`Your referrals: ${caseWord(list.total)}`} />
            )}
            {pages > 1 && (
              <nav className={worklistStyles.pager} aria-label="Pages">
                {list.page > 1 ? (
                  <Link className="button secondary small" href={pageLink(box, values, list.page - 1)} rel="prev">
                    ← Previous
                  </Link>
                ) : (
                  <span />
                )}
                <span>
                  Page {list.page} of {pages}
                </span>
                {list.page < pages ? (
                  <Link className="button secondary small" href={pageLink(box, values, list.page + 1)} rel="next">
                    Next →
                  </Link>
                ) : (
                  <span />
                )}
              </nav>
            )}
          </>
        )}
      </main>
    </>
  );
}
