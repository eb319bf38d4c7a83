'use client';
// Revoke a consent, with the reason (POST /api/consents/{id}/revoke): the
// grants resting on it end at once, then the page shows it revoked.
import { useState, type FormEvent } from 'react';
import { callApi } from '../../../admin/_components/api-call';
import styles from './consent.module.css';

export function RevokeConsentButton({ consentId, label }: { consentId: string; label: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!reason.trim()) return setError('Give the reason');
    setBusy(true);
    const result = await callApi('POST', `/api/consents/${encodeURIComponent(consentId)}/revoke`, { reason });
    if (!result.ok) {
      setBusy(false);
      setError(result.data.fields?.reason ?? result.data.message ?? 'The consent could not be revoked.');
      return;
    }
    window.location.reload();
  };

  if (!open)
    return (
      <button type="button" className="button secondary small" onClick={() => setOpen(true)} aria-label={`Revoke: ${label}`}>
        Revoke
      </button>
    );
  return (
    <form className={styles.revoke} onSubmit={submit}>
      <input
        aria-label="Reason for revoking"
        placeholder="Reason, e.g. the patient withdrew consent"
        value={reason}
        autoFocus
        disabled={busy}
        aria-invalid={error ? true : undefined}
        onChange={(event) => (setError(''), setReason(event.target.value))}
      />
      <button type="submit" className="button small" disabled={busy}>
        {busy ? 'Revoking…' : 'Revoke consent'}
      </button>
      <button type="button" className="button secondary small" disabled={busy} onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <p className={styles.fieldError} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
