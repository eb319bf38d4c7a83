'use client';
// Co-signature on the report page: the author sends the version to a
// colleague who may sign it (the list comes from the API, decided in
// lib/policy), and "Waiting for signature by X" with withdraw (the author) or
// hand back (the colleague). The API decides; a refusal is shown in place.
import { useEffect, useState } from 'react';
import type { ReportView } from '../../../../lib/reports/report-view';
import { callReportApi } from './report-api';
import styles from './report.module.css';

interface Colleague {
  id: string;
  name: string;
  email: string;
}

export function SendForSignatureDialog({ report, flush, onDone, onCancel }: { report: ReportView; flush: () => Promise<number | null>; onDone: () => void; onCancel: () => void }) {
  const [colleagues, setColleagues] = useState<Colleague[] | null>(null);
  const [signerUserId, setSignerUserId] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    fetch(`/api/reports/${report.id}/signature-request`)
      .then(async (response) => (response.ok ? ((await response.json()) as { colleagues: Colleague[] }).colleagues : Promise.reject(new Error(String(response.status)))))
      .then(setColleagues, () => setError('The list of colleagues could not be loaded. Reload the page.'));
  }, [report.id]);

  return (
    <div className={styles.overlay}>
      <form
        method="post"
        className={`card ${styles.dialog}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="cosign-title"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError('');
          const revision = await flush();
          if (revision === null) {
            setBusy(false);
            return setError('The report could not be saved first: see above');
          }
          const answer = await callReportApi('POST', `/api/reports/${report.id}/signature-request`, { baseRevision: revision, signerUserId });
          if (answer.ok) return onDone();
          setBusy(false);
          setError(answer.fields.signerUserId ?? (answer.status === 409 ? 'Changed elsewhere — reload the page and try again.' : answer.message));
        }}
      >
        <h2 id="cosign-title">Send for signature</h2>
        <p className={styles.muted}>The colleague reads this version and signs it with their own password. You can keep editing until then, or withdraw the request.</p>
        <div className="field">
          <label htmlFor="cosigner">Colleague</label>
          <select id="cosigner" value={signerUserId} onChange={(event) => setSignerUserId(event.target.value)} required disabled={!colleagues} aria-describedby="cosign-error">
            <option value="">{colleagues ? (colleagues.length ? 'Choose…' : 'Nobody else may sign reports on this study') : 'Loading…'}</option>
            {colleagues?.map((colleague) => (
              <option key={colleague.id} value={colleague.id}>
                {colleague.name || colleague.email} ({colleague.email})
              </option>
            ))}
          </select>
          <p id="cosign-error" className={styles.error} role={error ? 'alert' : undefined}>
            {error}
          </p>
        </div>
        <div className={styles.buttons}>
          <button type="submit" className="button" disabled={busy || !signerUserId}>
            {busy ? 'Sending…' : 'Send'}
          </button>
          <button type="button" className="button secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}

export function SignatureRequestNote({ report, onDone }: { report: ReportView; onDone: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const request = report.signatureRequest;
  if (!request) return null;
  const mine = report.version.editable;
  return (
    <div className="alert info" role="status" data-testid="signature-request">
      Waiting for signature by {request.signer.name}.{' '}
      <button
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const answer = await callReportApi('DELETE', `/api/reports/${report.id}/signature-request`, { baseRevision: report.revision });
          if (answer.ok) return onDone();
          setBusy(false);
          setError(answer.status === 409 ? 'Changed elsewhere — reload the page.' : answer.message);
        }}
      >
        {mine ? 'Withdraw request' : 'Hand back'}
      </button>
      {error && <span className={styles.error}> {error}</span>}
    </div>
  );
}
