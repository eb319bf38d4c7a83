'use client';

import styles from './audit.module.css';

/** An unexpected failure (the database is down…): say so plainly and offer a retry; details are in the server log. */
export default function AuditError({ reset }: { error: Error; reset: () => void }) {
  return (
    <main id="main" className={styles.main}>
      <h1>Audit</h1>
      <div className="alert error" role="alert">
        The audit log could not be loaded just now. Try again in a moment; if it keeps failing, the server log says why.
      </div>
      <button type="button" className="button" onClick={() => reset()}>
        Try again
      </button>
    </main>
  );
}
