'use client';
// The host invites an expert without an account: a one-time link, valid for
// a few hours, shown once (the server keeps only its hash).
import { useState } from 'react';
import styles from './consultation.module.css';

export function GuestLinkPanel({ consultationId }: { consultationId: string }) {
  const [open, setOpen] = useState(false);
  const [guestName, setGuestName] = useState('');
  const [hours, setHours] = useState('24');
  const [result, setResult] = useState<{ url: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <section aria-labelledby="guest-title">
      <h2 id="guest-title">Guest expert</h2>
      {!open ? (
        <button type="button" className={styles.darkButton} onClick={() => setOpen(true)}>
          Invite a guest by link…
        </button>
      ) : (
        <form
          className={styles.devices}
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(null);
            const response = await fetch(`/api/consultations/${consultationId}/guest-links`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ guestName, hours: Number(hours) }),
            });
            const body = (await response.json().catch(() => ({}))) as { url?: string; expiresAt?: string; error?: { message?: string }; message?: string };
            setBusy(false);
            if (response.ok && body.url && body.expiresAt) {
              setResult({ url: new URL(body.url, window.location.origin).toString(), expiresAt: body.expiresAt });
              setGuestName('');
            } else {
              setError(body.error?.message ?? body.message ?? `The link could not be made (${response.status})`);
            }
          }}
        >
          <label>
            Guest&apos;s name
            <input className={styles.darkButton} required maxLength={100} value={guestName} onChange={(event) => setGuestName(event.target.value)} />
          </label>
          <label>
            Valid for
            <select value={hours} onChange={(event) => setHours(event.target.value)}>
              {['1', '4', '8', '24', '48', '72'].map((value) => (
                <option key={value} value={value}>
                  {value} hour{value === '1' ? '' : 's'}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className={styles.darkButton} disabled={busy}>
            Make a one-time link
          </button>
          {error && <p role="alert">{error}</p>}
          {result && (
            <div role="status">
              <p className={styles.muted}>Send this link to the guest (shown once; it works once, until {new Date(result.expiresAt).toLocaleString()}):</p>
              <div className={styles.guestLink}>{result.url}</div>
            </div>
          )}
        </form>
      )}
    </section>
  );
}
