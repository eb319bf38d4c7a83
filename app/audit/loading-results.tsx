import styles from './audit.module.css';

/** Shown while the results load; invisible for the first 300 ms so that fast answers do not flicker. */
export function LoadingResults() {
  return (
    <div className={styles.loading} role="status" aria-live="polite">
      <span className={styles.spinner} aria-hidden="true" />
      Loading audit events…
    </div>
  );
}
