// The patient page's orders from the RIS and its merge history (issue 18).
// Both are the record's facility's: the lists are empty for a reader who
// holds a granted study only (lib/orders/patient-orders.ts,
// lib/patients/merge-history.ts), and then nothing shows.
import Link from 'next/link';
import type { PatientOrder } from '../../../lib/orders/patient-orders';
import type { PatientMergeEntry } from '../../../lib/patients/merge-history';
import { displayDate, displayName, displayTime } from '../../../lib/display/dicom-display';
import styles from './patient.module.css';

const ORDER_STATUS_WORDS: Record<string, string> = {
  SCHEDULED: 'Scheduled',
  IN_PROGRESS: 'In progress',
  IMAGES_RECEIVED: 'Images received',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
};

function utc(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

export function OrdersSection({ orders }: { orders: PatientOrder[] }) {
  if (!orders.length) return null;
  return (
    <section className={styles.links} aria-labelledby="orders-heading" data-testid="patient-orders">
      <h2 id="orders-heading">Orders from the RIS</h2>
      <ul className={styles.records}>
        {orders.map((order) => (
          <li key={order.id} data-accession={order.accessionNumber}>
            <span>
              <strong>{order.procedure || 'Procedure not named'}</strong>
              {order.modality && <> · {order.modality}</>}
              {order.accessionNumber && <> · Acc. {order.accessionNumber}</>}
            </span>
            <strong className={`badge ${order.status === 'CANCELLED' ? styles.cancelled : ''}`}>{ORDER_STATUS_WORDS[order.status] ?? order.status}</strong>
            <small>
              {order.imagesReceivedAt ? (
                <>
                  Images received {utc(order.imagesReceivedAt)} ({order.instancesReceived} image{order.instancesReceived === 1 ? '' : 's'})
                  {order.studyInstanceUid && (
                    <>
                      {' · '}
                      <Link href={`/studies/${order.studyInstanceUid}`}>Open the study</Link>
                    </>
                  )}
                </>
              ) : (
                <>
                  Scheduled {displayDate(order.scheduledDate) || 'without a date'} {displayTime(order.scheduledTime)}
                </>
              )}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function MergeHistorySection({ merges }: { merges: PatientMergeEntry[] }) {
  if (!merges.length) return null;
  return (
    <section className={styles.links} aria-labelledby="merges-heading" data-testid="merge-history">
      <h2 id="merges-heading">Merge history</h2>
      <ul className={styles.records}>
        {merges.map((merge) => (
          <li key={merge.id}>
            <span>
              <strong>{displayName(merge.mergedName) || 'Unnamed record'}</strong> · ID {merge.mergedPatientId}
              {merge.mergedIssuer && !merge.mergedIssuer.startsWith('telepacs:') && <small> ({merge.mergedIssuer})</small>} merged into this record
            </span>
            <small>
              {utc(merge.mergedAt)} · {merge.source === 'HL7' ? 'by the HIS (ADT^A40)' : 'by an administrator'} · {merge.studiesMoved} stud
              {merge.studiesMoved === 1 ? 'y' : 'ies'} moved
              {merge.ordersMoved > 0 && `, ${merge.ordersMoved} order${merge.ordersMoved === 1 ? '' : 's'}`}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}
