// The worklist's "Scheduled — not yet imaged": procedures the RIS ordered
// (lib/orders/scheduled-orders.ts) that have no images yet, soonest first,
// above the studies. A row leaves when its images arrive (the study then
// joins the table) or the RIS cancels it. One card per order: it wraps on a
// phone instead of scrolling sideways. The first FIRST_SHOWN are open, the
// rest behind "Show N more": the studies to read stay near the top.
import Link from 'next/link';
import type { ScheduledOrders } from '../../../lib/orders/scheduled-orders';
import { displayDate, displayName, displayTime } from '../../../lib/display/dicom-display';
import styles from './worklist.module.css';

const FIRST_SHOWN = 5;

export function ScheduledOrdersSection({ scheduled, filtered }: { scheduled: ScheduledOrders; filtered: boolean }) {
  if (scheduled.total === 0) return null;
  return (
    <section className={styles.scheduled} aria-labelledby="scheduled-heading" data-testid="scheduled-orders">
      <h2 id="scheduled-heading">
        Scheduled — not yet imaged <span className="badge">{scheduled.total}</span>
      </h2>
      <p className={styles.scheduledNote}>
        Ordered by the RIS, waiting for images{scheduled.since ? `; scheduled from ${displayDate(scheduled.since)} on` : ''}
        {filtered ? ', matching the filters' : ''}. A procedure moves to the studies below when its images arrive.
      </p>
      <OrderCards orders={scheduled.rows.slice(0, FIRST_SHOWN)} />
      {scheduled.rows.length > FIRST_SHOWN && (
        <details className={styles.more}>
          <summary>Show {scheduled.rows.length - FIRST_SHOWN} more scheduled</summary>
          <OrderCards orders={scheduled.rows.slice(FIRST_SHOWN)} />
        </details>
      )}
      {scheduled.total > scheduled.rows.length && (
        <p className={styles.scheduledNote}>
          {scheduled.total - scheduled.rows.length} more are not listed; narrow them with the filters (modality, dates, facility).
        </p>
      )}
    </section>
  );
}

function OrderCards({ orders }: { orders: ScheduledOrders['rows'] }) {
  return (
    <ul className={styles.orders}>
      {orders.map((order) => (
        <li key={order.id} className={styles.order} data-testid="scheduled-order" data-accession={order.accessionNumber}>
          <div className={styles.orderWhen}>
            <strong>{displayDate(order.scheduledDate) || 'no date'}</strong> {displayTime(order.scheduledTime)}
          </div>
          <div className={styles.orderWho}>
            <Link href={`/patients/${order.patient.id}`} className={styles.patient}>
              {displayName(order.patient.name) || 'Unnamed patient'}
            </Link>{' '}
            <span className={styles.mono}>{order.patient.patientId}</span>
          </div>
          <div className={styles.orderWhat}>
            <span>{order.procedure || 'Procedure not named'}</span>
            {order.modality && <span className="badge">{order.modality}</span>}
            {(order.stationAet || order.stationName) && <span>Station {[order.stationName, order.stationAet].filter(Boolean).join(' · ')}</span>}
            {order.accessionNumber && <span className={styles.mono}>Acc. {order.accessionNumber}</span>}
            <span>{order.facility.code}</span>
          </div>
          <div className={styles.orderStatus}>
            {order.priority === 'STAT' && <span className="badge priority-stat">STAT</span>}
            <span className={`badge ${styles.scheduledBadge}`}>{order.status === 'IN_PROGRESS' ? 'In progress' : 'Scheduled'}</span>
          </div>
        </li>
      ))}
    </ul>
  );
}
