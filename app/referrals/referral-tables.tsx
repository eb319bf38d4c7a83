// The rows of the inbox and of "My referrals". Each row opens the case
// (/referrals/{id}); the keyboard moves between rows as on the worklist. At
// phone width each row becomes a block with its labels (referrals.module.css).
import Link from 'next/link';
import { displayName } from '../../lib/display/dicom-display';
import type { ReferralListRow } from '../../lib/referrals/list-referrals';
import { OPEN_STATUSES, type ReferralStatus } from '../../lib/referrals/referral-states';
import { DueCountdown, PriorityBadge } from '../_components/referrals/due-countdown';
import { TableHead } from '../_components/table-head';
import { RowKeyboard } from '../_components/worklist/row-keyboard';
import { ClaimButton } from './claim-button';
import styles from './referrals.module.css';

const isOpen = (status: string) => OPEN_STATUSES.includes(status as ReferralStatus);
const patientLabel = (row: ReferralListRow) => `${displayName(row.patientName) || 'Unnamed patient'} (MRN ${row.patientId || '—'})`;

function Patient({ row }: { row: ReferralListRow }) {
  return (
    <td data-label="Patient">
      <Link href={`/referrals/${row.id}`} className={styles.patient}>
        {displayName(row.patientName) || 'Unnamed patient'}
      </Link>
      <small className={styles.mrn}>MRN {row.patientId || '—'}</small>
    </td>
  );
}

function Question({ row }: { row: ReferralListRow }) {
  return (
    <td data-label="Question" className={styles.question}>
      <span title={row.question}>{row.question.length > 90 ? `${row.question.slice(0, 88)}…` : row.question}</span>
      {row.modalities.length > 0 && <small className={styles.modalities}> {row.modalities.join(', ')}</small>}
    </td>
  );
}

function Due({ row, now }: { row: ReferralListRow; now: string }) {
  return <td data-label="Due">{row.dueAt && isOpen(row.status) ? <DueCountdown dueAt={row.dueAt.toISOString()} now={now} /> : <span className={styles.muted}>—</span>}</td>;
}

function Unread({ row }: { row: ReferralListRow }) {
  return (
    <td data-label="Unread">
      {row.unread > 0 ? (
        <span className="badge" data-testid="unread" title={`${row.unread} unread message${row.unread === 1 ? '' : 's'}`}>
          {row.unread}
          <span className="visually-hidden"> unread</span>
        </span>
      ) : (
        <span className={styles.muted}>—</span>
      )}
    </td>
  );
}

function rowClass(row: ReferralListRow): string {
  return [styles.row, row.priority === 'STAT' && isOpen(row.status) ? styles.stat : '', row.overdue ? styles.overdue : ''].filter(Boolean).join(' ');
}

export function InboxTable({ rows, now, caption }: { rows: ReferralListRow[]; now: string; caption: string }) {
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.cases} id="referral-inbox">
          <caption className="visually-hidden">{caption}</caption>
          <TableHead columns={['Priority', 'Patient', 'Question', 'From', 'To', 'Who has it', 'Status', 'Due', 'Unread']} actions />
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-href={`/referrals/${row.id}`} tabIndex={-1} className={rowClass(row)} data-referral={row.id} data-testid="referral-row">
                <td data-label="Priority">
                  <PriorityBadge priority={row.priority} />
                </td>
                <Patient row={row} />
                <Question row={row} />
                <td data-label="From">
                  {row.requester.name}
                  <small className={styles.sub}>{row.requester.facilityName}</small>
                </td>
                <td data-label="To">{row.addressedToMe ? 'You' : row.addressee}</td>
                <td data-label="Who has it">{row.owner ?? (row.claimable ? <span className={styles.muted}>Nobody yet</span> : '—')}</td>
                <td data-label="Status" data-testid="status">
                  {row.statusWords}
                </td>
                <Due row={row} now={now} />
                <Unread row={row} />
                <td className={styles.actionsCell}>
                  {row.claimable ? (
                    <ClaimButton referralId={row.id} label={patientLabel(row)} />
                  ) : (
                    <Link href={`/referrals/${row.id}`} className="button secondary small">
                      Open
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <RowKeyboard tableId="referral-inbox" />
    </>
  );
}

/** What the requester can do now, in words (the case page has the buttons) */
function nextStep(row: ReferralListRow): string {
  switch (row.status) {
    case 'DRAFT':
      return 'Not sent yet';
    case 'DECLINED':
      return 'Send it to someone else';
    case 'ON_HOLD':
      return 'Answer the question';
    case 'COMPLETED':
      return 'Read the report and close the case';
    default:
      return '';
  }
}

export function MyReferralsTable({ rows, now, caption }: { rows: ReferralListRow[]; now: string; caption: string }) {
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.cases} id="my-referrals">
          <caption className="visually-hidden">{caption}</caption>
          <TableHead columns={['Priority', 'Patient', 'Question', 'To', 'Who has it', 'Status', 'Due', 'Unread']} actions />
          <tbody>
            {rows.map((row) => {
              const step = nextStep(row);
              return (
                <tr key={row.id} data-href={`/referrals/${row.id}`} tabIndex={-1} className={rowClass(row)} data-referral={row.id} data-testid="referral-row">
                  <td data-label="Priority">
                    <PriorityBadge priority={row.priority} />
                  </td>
                  <Patient row={row} />
                  <Question row={row} />
                  <td data-label="To">{row.addressee}</td>
                  <td data-label="Who has it">{row.owner ?? <span className={styles.muted}>Nobody yet</span>}</td>
                  <td data-label="Status" data-testid="status">
                    {row.status === 'COMPLETED' || (row.reportId && row.status === 'CLOSED') ? (
                      <Link href={`/referrals/${row.id}`} className={styles.signed}>
                        {row.statusWords === 'Closed' ? 'Closed · Report signed' : 'Report signed'}
                      </Link>
                    ) : (
                      row.statusWords
                    )}
                    {step && <small className={styles.sub}>{step}</small>}
                  </td>
                  <Due row={row} now={now} />
                  <Unread row={row} />
                  <td className={styles.actionsCell}>
                    <Link href={`/referrals/${row.id}`} className="button secondary small">
                      {row.status === 'COMPLETED' ? 'Read the report' : 'Open'}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <RowKeyboard tableId="my-referrals" />
    </>
  );
}
