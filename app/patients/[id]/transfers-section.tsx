// The patient's emergency transfer notices (issue 17): each notice the reader takes part in
// or whose sending facility they belong to stays in the patient's record, with where it went,
// its outcome and how fast the receiving team answered. Nothing when there is none.
import Link from 'next/link';
import { getRuntime } from '../../../lib/runtime';
import { transfersOfPatient } from '../../../lib/transfers/patient-transfers';
import styles from './patient.module.css';

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 16);
}

export async function TransfersSection({ patientRef, user }: { patientRef: string; user: { id: string; email: string } }) {
  const rows = await transfersOfPatient(getRuntime(), { userId: user.id, email: user.email, ip: '' }, patientRef);
  if (!rows.length) return null;
  return (
    <section className={styles.links} aria-labelledby="transfers-heading" data-testid="patient-transfers">
      <h2 id="transfers-heading">Emergency transfers</h2>
      <ul className={styles.records}>
        {rows.map((row) => (
          <li key={row.id}>
            <span>
              <Link href={`/transfers/${row.id}`}>
                {row.conditionWords}
                {row.suspectedDiagnosis ? ` — ${row.suspectedDiagnosis}` : ''}
              </Link>{' '}
              from {row.from} to {row.to.name}
            </span>
            <strong>{row.statusWords}</strong>
            <small>
              Sent {when(row.sentAt)} UTC
              {row.acknowledgedSeconds !== null ? ` · acknowledged after ${row.acknowledgedSeconds} s` : ' · not acknowledged'}
              {row.arrivedAt ? ` · arrived ${when(row.arrivedAt)} UTC` : ''}
              {` · ${row.images.studies} ${row.images.studies === 1 ? 'study' : 'studies'}, ${row.images.instances} images`}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}
