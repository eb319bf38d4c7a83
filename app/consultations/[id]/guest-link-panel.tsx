'use client';
// The host invites an expert without an account: a one-time link, valid for
// a few hours, shown once (the server keeps only its hash). The host sees
// the links made for this session and can withdraw one — a guest who already
// came is let go at once.
import { useCallback, useEffect, useState } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { ConsentRequiredAlert, isConsentRequired, type ConsentRequiredAnswer } from '../../_components/consent/consent-required-alert';
import styles from './consultation.module.css';

interface GuestLink {
  id: string;
  guestName: string;
  expiresAt: string;
  state: 'OPEN' | 'USED' | 'EXPIRED' | 'REVOKED';
}

const STATE_TEXT: Record<GuestLink['state'], string> = { OPEN: 'not used yet', USED: 'joined', EXPIRED: 'expired', REVOKED: 'withdrawn' };

export function GuestLinkPanel({ consultationId }: { consultationId: string }) {
  const [open, setOpen] = useState(false);
  const [guestName, setGuestName] = useState('');
  const [hours, setHours] = useState('24');
  const [result, setResult] = useState<{ url: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [consentRequired, setConsentRequired] = useState<ConsentRequiredAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [links, setLinks] = useState<GuestLink[]>([]);
  const base = `/api/consultations/${consultationId}/guest-links`;

  const refresh = useCallback(async () => {
    const answer = await callApi<{ links: GuestLink[] }>('GET', base);
    if (answer.ok) setLinks(answer.data.links);
  }, [base]);
  useEffect(() => {
    if (open) void refresh();
  }, [open, refresh]);

  return (
    <section aria-labelledby="guest-title">
      <h2 id="guest-title">Guest expert</h2>
      {!open ? (
        <button type="button" className={styles.darkButton} onClick={() => setOpen(true)}>
          Invite a guest by link…
        </button>
      ) : (
        <form
          method="post"
          className={styles.devices}
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(null);
            setConsentRequired(null);
            const answer = await callApi<{ url: string; expiresAt: string }>('POST', base, { guestName, hours: Number(hours) });
            setBusy(false);
            if (answer.ok) {
              setResult({ url: new URL(answer.data.url, window.location.origin).toString(), expiresAt: answer.data.expiresAt });
              setGuestName('');
              void refresh();
            } else if (isConsentRequired(answer.status, answer.data)) {
              setConsentRequired(answer.data);
            } else {
              setError(answer.data.fields?.guestName ?? answer.data.message ?? `The link could not be made (${answer.status})`);
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
          {consentRequired && <ConsentRequiredAlert answer={consentRequired} />}
          {result && (
            <div role="status">
              <p className={styles.muted}>Send this link to the guest (shown once; it works once, until {new Date(result.expiresAt).toLocaleString()}):</p>
              <div className={styles.guestLink}>{result.url}</div>
            </div>
          )}
          {links.length > 0 && (
            <ul className={styles.annotations} aria-label="Guest links">
              {links.map((link) => (
                <li key={link.id}>
                  <span className={styles.jump}>
                    {link.guestName}
                    <small>
                      {STATE_TEXT[link.state]}
                      {link.state === 'OPEN' ? ` · until ${new Date(link.expiresAt).toLocaleString()}` : ''}
                    </small>
                  </span>
                  {(link.state === 'OPEN' || link.state === 'USED') && (
                    <button
                      type="button"
                      className={styles.darkButton}
                      onClick={async () => {
                        await callApi('DELETE', `${base}/${link.id}`);
                        void refresh();
                      }}
                    >
                      Withdraw
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </form>
      )}
    </section>
  );
}
