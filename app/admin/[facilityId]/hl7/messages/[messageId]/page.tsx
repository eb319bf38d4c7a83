// One HL7 message of the facility's log: the message as received (or sent)
// and the acknowledgment as sent (or received), one segment per line, with
// Process again for an inbound message that failed. Audited.
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../../../../lib/auth';
import { HL7_STATUS_WORDS, type Hl7MessageStatus } from '../../../../../../lib/hl7/admin/hl7-message-views';
import { viewHl7Message } from '../../../../../../lib/hl7/admin/view-hl7-message';
import { getRuntime } from '../../../../../../lib/runtime';
import { AdminShell } from '../../../../_components/admin-shell';
import { formatDateTime } from '../../../../_components/format';
import { ReprocessButton } from '../../../../_components/reprocess-button';
import { orNotFound } from '../../../../_lib/or-not-found';
import { requireFacilityAdmin } from '../../../../_lib/require-facility-admin';
import styles from '../../../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'HL7 message · Administration' };

export default async function Hl7MessagePage({ params }: { params: Promise<{ facilityId: string; messageId: string }> }) {
  const { facilityId, messageId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/hl7/messages/${messageId}`);
  const actor = { userId: user.id, email: user.email, ip: clientAddressFromNormalizedHeaders(await headers()).ip };
  const message = await orNotFound(viewHl7Message(getRuntime(), actor, facilityId, messageId));
  const facts: [string, string][] = [
    [message.direction === 'IN' ? 'Received' : 'Queued', formatDateTime(message.receivedAt)],
    ['Processed', formatDateTime(message.processedAt)],
    ['Sender', `${message.sendingApplication || '—'}^${message.sendingFacility || '—'}${message.unowned ? ' (unknown sender when received)' : ''}`],
    ['Type', message.messageType || '—'],
    ['Control ID', message.controlId || '—'],
    ['Version', message.version || '—'],
    ['From address', message.remoteAddress || '—'],
    ['Status', `${HL7_STATUS_WORDS[message.status as Hl7MessageStatus] ?? message.status}${message.attempts > 1 ? ` (${message.attempts} attempts)` : ''}`],
    ['ACK', [message.ackCode, message.ackText].filter(Boolean).join(' — ') || '—'],
  ];
  return (
    <AdminShell user={user} facility={facility} current="hl7">
      <p className={styles.muted}>
        <Link href={`/admin/${facilityId}/hl7`}>← HL7</Link>
      </p>
      <section className={styles.section} aria-labelledby="hl7-message-heading">
        <h2 id="hl7-message-heading">
          {message.messageType || 'HL7 message'} {message.controlId && <small className={styles.muted}>{message.controlId}</small>}
        </h2>
        <dl className={styles.facts}>
          {facts.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {message.error && <p className="alert error">{message.error}</p>}
        <ReprocessButton facilityId={facilityId} messageId={message.id} reprocessable={message.reprocessable} />
      </section>
      <section className={styles.section} aria-labelledby="hl7-raw-heading">
        <h2 id="hl7-raw-heading">{message.direction === 'IN' ? 'Message as received' : 'Message as sent'}</h2>
        <pre className={styles.raw} data-testid="hl7-raw">
          {message.raw}
        </pre>
      </section>
      <section className={styles.section} aria-labelledby="hl7-ack-heading">
        <h2 id="hl7-ack-heading">{message.direction === 'IN' ? 'Acknowledgment as sent' : 'Acknowledgment received'}</h2>
        {message.ack ? (
          <pre className={styles.raw} data-testid="hl7-ack">
            {message.ack}
          </pre>
        ) : (
          <p className={styles.empty}>None{message.direction === 'IN' ? ' yet' : ''}.</p>
        )}
      </section>
    </AdminShell>
  );
}
