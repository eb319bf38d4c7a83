'use client';
// The answer to a 409 CONFIRMATION_REQUIRED (vitals outside the physiological range): the
// values to check, and the button that sends the same form again with confirmVitals.
import styles from './transfers.module.css';

export function ConfirmVitals({ lines, busy, onConfirm }: { lines: readonly string[] | null; busy: boolean; onConfirm: () => void }) {
  if (!lines) return null;
  return (
    <div className={styles.confirm} role="alert" data-testid="confirm-vitals">
      <strong>Check these values:</strong>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <button type="button" className="button" disabled={busy} onClick={onConfirm}>
        Values are right — send
      </button>
    </div>
  );
}
