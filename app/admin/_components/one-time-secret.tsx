'use client';
// A link or token shown once: selectable text, a copy button, and the warning
// that it cannot be shown again.
import { useState } from 'react';
import styles from '../admin.module.css';

export function OneTimeSecret({ title, value, note }: { title: string; value: string; note: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className={styles.once} role="status">
      <p>
        <strong>{title}</strong>
      </p>
      <p>{note}</p>
      <div className={styles.copyRow}>
        <code className={styles.secret} data-testid="one-time-secret">
          {value}
        </code>
        <button
          type="button"
          className="button secondary small"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

/** The absolute URL of a link path the API returned (PUBLIC_URL when the server has one). */
export function linkUrl(data: { path: string; url: string | null }): string {
  return data.url ?? `${window.location.origin}${data.path}`;
}
