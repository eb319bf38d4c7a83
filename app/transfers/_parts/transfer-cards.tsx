// The notices of the board and of "Sent" as cards: condition, patient, vitals, time since
// onset, ETA, the images' state, status in colour (red: not acknowledged, amber:
// acknowledged, green: accepted), and who acknowledged or accepted.
import Link from 'next/link';
import { displayName } from '../../../lib/display/dicom-display';
import type { TransferRow } from '../../../lib/transfers/list-transfers';
import { OPEN_TRANSFER_STATUSES } from '../../../lib/transfers/transfer-words';
import { EtaCountdown, SinceOnset } from './transfer-clock';
import styles from './transfers.module.css';

const IMAGE_WORDS = { NONE: 'no images yet', ARRIVING: 'images arriving', HERE: 'images here' } as const;

export function TransferCards({ rows, side, label }: { rows: TransferRow[]; side: 'board' | 'sent'; label: string }) {
  return (
    <ul className={styles.cards} aria-label={label} data-testid={`transfer-cards-${side}`}>
      {rows.map((row) => {
        const open = OPEN_TRANSFER_STATUSES.includes(row.status);
        return (
          <li key={row.id} className={styles.card} data-status={row.status} data-testid="transfer-card">
            <div className={styles.cardTop}>
              <span className={styles.condition}>{row.conditionWords}</span>
              <strong data-testid="card-status">
                {row.statusWords}
                {row.escalatedAt && row.status === 'SENT' ? ' · Escalated' : ''}
              </strong>
            </div>
            <Link href={`/transfers/${row.id}`}>
              {row.patient.unidentified ? `Unidentified (${row.patient.patientId})` : displayName(row.patient.name) || row.patient.patientId || 'Unknown patient'}
              {row.suspectedDiagnosis ? ` — ${row.suspectedDiagnosis}` : ''}
            </Link>
            <span className={styles.eta}>
              ETA <EtaCountdown iso={row.etaAt.toISOString()} open={open} />
            </span>
            {row.vitals && <span>{row.vitals}</span>}
            {row.onsetAt && (
              <span className={styles.muted}>
                <SinceOnset iso={row.onsetAt.toISOString()} lastKnownWell={row.onsetIsLastKnownWell} />
              </span>
            )}
            <span className={styles.muted}>
              {side === 'board' ? `From ${row.from}` : `To ${row.to.name}`} ·{' '}
              <span className={styles.imageState} data-state={row.arriving ? 'ARRIVING' : row.images.state} data-testid="transfer-images">
                {row.arriving ? `images ${row.arriving}` : IMAGE_WORDS[row.images.state]}
              </span>
              {row.messages > 0 ? ` · ${row.messages} message${row.messages === 1 ? '' : 's'}` : ''}
            </span>
            {(row.acceptedBy || row.acknowledgedBy) && <span className={styles.muted}>{row.acceptedBy ? `Accepted by ${row.acceptedBy}` : `Acknowledged by ${row.acknowledgedBy}`}</span>}
          </li>
        );
      })}
    </ul>
  );
}
