// The facility's HL7 tab (issue 18): who may send HL7 here, where signed
// reports go, and the last messages in and out with their acknowledgments.
// Reading the log is audited (lib/hl7/admin/list-hl7-messages.ts).
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { clientAddressFromNormalizedHeaders } from '../../../../lib/auth';
import { HL7_MESSAGE_STATUSES, HL7_STATUS_WORDS, type Hl7MessageStatus } from '../../../../lib/hl7/admin/hl7-message-views';
import { HL7_MESSAGES_SHOWN, listHl7Messages } from '../../../../lib/hl7/admin/list-hl7-messages';
import { listHl7Senders } from '../../../../lib/hl7/senders/list-hl7-senders';
import { getRuntime } from '../../../../lib/runtime';
import { AdminShell } from '../../_components/admin-shell';
import { formatDateTime } from '../../_components/format';
import { Hl7DestinationForm } from '../../_components/hl7-destination-form';
import { Hl7SendersPanel } from '../../_components/hl7-senders-panel';
import { ReprocessButton } from '../../_components/reprocess-button';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'HL7 · Administration' };

type SearchParams = Record<string, string | string[] | undefined>;

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim().toUpperCase() ?? '';
}

export default async function Hl7Page({ params, searchParams }: { params: Promise<{ facilityId: string }>; searchParams: Promise<SearchParams> }) {
  const { facilityId } = await params;
  const query = await searchParams;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/hl7`);
  const runtime = getRuntime();
  const actor = { userId: user.id, email: user.email, ip: clientAddressFromNormalizedHeaders(await headers()).ip };
  const status = (HL7_MESSAGE_STATUSES as readonly string[]).includes(one(query.status)) ? one(query.status) : '';
  const direction = ['IN', 'OUT'].includes(one(query.direction)) ? one(query.direction) : '';
  const senders = await listHl7Senders(runtime, actor, facilityId);
  const messages = await listHl7Messages(runtime, actor, facilityId, { status, direction });
  const { hl7 } = runtime.config;
  return (
    <AdminShell user={user} facility={facility} current="hl7">
      <p className={styles.muted}>
        {hl7.port === undefined ? (
          <>
            The HL7 listener is off on this server (HL7_PORT is not set): the RIS and HIS cannot send messages yet.
          </>
        ) : (
          <>
            The hospital&apos;s RIS and HIS send ADT and order messages (HL7 v2 over MLLP) to port <strong>{hl7.port}</strong>, addressed to{' '}
            <strong>{hl7.application}</strong>. A message is filed under {facility.name} when its sender (MSH-3 ^ MSH-4) is registered here; any other
            is refused with AR.
          </>
        )}
      </p>
      <Hl7SendersPanel
        facilityId={facilityId}
        senders={senders.map((sender) => ({ id: sender.id, application: sender.application, sendingFacility: sender.sendingFacility, description: sender.description, source: sender.source }))}
      />

      <section className={styles.section} aria-labelledby="hl7-destination-heading">
        <h2 id="hl7-destination-heading">Where reports go</h2>
        <p className={styles.muted}>When a report of {facility.name} is signed or amended, an ORU^R01 with its text goes to the RIS&apos;s MLLP listener.</p>
        <Hl7DestinationForm facilityId={facilityId} />
      </section>

      <section className={styles.section} aria-labelledby="hl7-messages-heading">
        <div className={styles.sectionHead}>
          <h2 id="hl7-messages-heading">Last messages</h2>
          <form method="get" className={styles.actions} aria-label="Filter the messages">
            <label htmlFor="hl7-status">Status</label>
            <select id="hl7-status" name="status" defaultValue={status} className={styles.select}>
              <option value="">Any</option>
              {HL7_MESSAGE_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {HL7_STATUS_WORDS[value]}
                </option>
              ))}
            </select>
            <label htmlFor="hl7-direction">Direction</label>
            <select id="hl7-direction" name="direction" defaultValue={direction} className={styles.select}>
              <option value="">In and out</option>
              <option value="IN">In</option>
              <option value="OUT">Out</option>
            </select>
            <button type="submit" className="button secondary small">
              Show
            </button>
          </form>
        </div>
        <p className={styles.muted}>
          The newest {HL7_MESSAGES_SHOWN}
          {status ? ` with the status “${HL7_STATUS_WORDS[status as Hl7MessageStatus]}”` : ''}. Messages hold patient data: opening this list and a
          message is recorded in the audit trail.
        </p>
        {messages.length === 0 ? (
          <p className={styles.empty}>{status || direction ? 'No message matches.' : 'No HL7 message yet.'}</p>
        ) : (
          <table className={styles.table} id="hl7-messages">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Sender</th>
                <th scope="col">Type</th>
                <th scope="col">Control ID</th>
                <th scope="col">Status</th>
                <th scope="col">ACK</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => {
                const words = HL7_STATUS_WORDS[message.status as Hl7MessageStatus] ?? message.status;
                const failed = ['ERROR', 'REJECTED', 'FAILED'].includes(message.status);
                return (
                  <tr key={message.id} data-hl7-message={message.controlId}>
                    <td data-label="Time">
                      {formatDateTime(message.receivedAt)}
                      <br />
                      <small className={styles.muted}>{message.direction === 'IN' ? 'In' : 'Out'}</small>
                    </td>
                    <td data-label="Sender">
                      {message.sendingApplication || '—'}^{message.sendingFacility || '—'}
                      {message.unowned && (
                        <>
                          <br />
                          <small className={styles.muted}>unknown sender when received</small>
                        </>
                      )}
                    </td>
                    <td data-label="Type">{message.messageType || '—'}</td>
                    <td data-label="Control ID" className={styles.jobKey}>
                      {message.controlId || '—'}
                    </td>
                    <td data-label="Status">
                      <span className={failed ? styles.bad : undefined}>{words}</span>
                      {message.attempts > 1 && <small className={styles.muted}> · {message.attempts} attempts</small>}
                    </td>
                    <td data-label="ACK">
                      <strong>{message.ackCode || '—'}</strong>
                      {message.ackText && <> {message.ackText}</>}
                    </td>
                    <td data-label="Actions">
                      <div className={styles.actions}>
                        <Link href={`/admin/${facilityId}/hl7/messages/${message.id}`} className="button secondary small">
                          Details
                        </Link>
                        <ReprocessButton facilityId={facilityId} messageId={message.id} reprocessable={message.reprocessable} />
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </AdminShell>
  );
}
