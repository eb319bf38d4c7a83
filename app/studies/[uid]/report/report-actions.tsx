'use client';
// What may be done with the version shown: release the draft as preliminary,
// sign it (password dialog), or, once signed, amend it or add an addendum
// (reason dialog), each opening a new draft version; send it to a colleague
// for signature, who then signs it here (cosign-dialog.tsx). The API decides; a
// refusal is shown where it belongs (under the field, or above the buttons).
import { useState } from 'react';
import { SIGNED_STATUSES } from '../../../../lib/reports/report-types';
import type { ReportView } from '../../../../lib/reports/report-view';
import { SendForSignatureDialog, SignatureRequestNote } from './cosign-dialog';
import { callReportApi, type ApiAnswer } from './report-api';
import styles from './report.module.css';
import { reportPagePath } from '../../../_components/reports/report-path';

type Dialog = null | { kind: 'sign' } | { kind: 'amend' | 'addendum' } | { kind: 'cosign' };

interface Props {
  report: ReportView;
  editable: boolean;
  viewingLatest: boolean;
  /** Saves what is typed; the revision to send, or null when that failed */
  flush: () => Promise<number | null>;
  studyInstanceUid: string;
}

export function ReportActions({ report, editable, viewingLatest, flush, studyInstanceUid }: Props) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const latest = report.versions[report.versions.length - 1];
  // The colleague asked to co-sign: signs the version shown, without editing it
  const cosigning = !editable && viewingLatest && report.maySign;
  const mayStartVersion = report.mayWrite && viewingLatest && !editable && latest !== undefined && SIGNED_STATUSES.includes(latest.status);
  const showCurrent = () => window.location.assign(reportPagePath(studyInstanceUid, report.referralId));

  async function release() {
    setBusy(true);
    setError('');
    const revision = await flush();
    if (revision === null) return setBusy(false);
    const answer = await callReportApi('POST', `/api/reports/${report.id}/preliminary`, { baseRevision: revision });
    if (answer.ok) return showCurrent();
    setError(answer.message);
    setBusy(false);
  }

  if (!editable && !mayStartVersion && !cosigning) return null;
  return (
    <div className={styles.actions}>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      {viewingLatest && <SignatureRequestNote report={report} onDone={showCurrent} />}
      <div className={styles.buttons}>
        {editable && latest?.kind === 'ORIGINAL' && latest.status === 'DRAFT' && (
          <button type="button" className="button secondary" onClick={release} disabled={busy}>
            Release as preliminary
          </button>
        )}
        {(editable || cosigning) && (
          <button type="button" className="button" onClick={() => setDialog({ kind: 'sign' })} disabled={busy}>
            Sign…
          </button>
        )}
        {editable && (
          <button type="button" className="button secondary" onClick={() => setDialog({ kind: 'cosign' })} disabled={busy}>
            {report.signatureRequest ? 'Send to someone else…' : 'Send for signature…'}
          </button>
        )}
        {mayStartVersion && (
          <>
            <button type="button" className="button secondary" onClick={() => setDialog({ kind: 'amend' })}>
              Amend…
            </button>
            <button type="button" className="button secondary" onClick={() => setDialog({ kind: 'addendum' })}>
              Addendum…
            </button>
          </>
        )}
      </div>
      {dialog?.kind === 'cosign' && <SendForSignatureDialog report={report} flush={flush} onDone={showCurrent} onCancel={() => setDialog(null)} />}
      {dialog && dialog.kind !== 'cosign' && (
        <ActionDialog
          kind={dialog.kind}
          onCancel={() => setDialog(null)}
          onSubmit={async (value) => {
            // The author's typing is saved first; a co-signer signs the revision they read
            const revision = dialog.kind === 'sign' && editable ? await flush() : report.revision;
            if (revision === null) return { ok: false, status: 0, message: 'The report could not be saved first: see above', fields: {}, retryAfter: null };
            const body = dialog.kind === 'sign' ? { baseRevision: revision, password: value } : { baseRevision: revision, reason: value };
            const answer = await callReportApi('POST', `/api/reports/${report.id}/${dialog.kind}`, body);
            if (answer.ok) showCurrent();
            return answer;
          }}
        />
      )}
    </div>
  );
}

const DIALOGS = {
  sign: { title: 'Sign the report', label: 'Your password', field: 'password', button: 'Sign', note: 'Signing locks this version: later changes need an amendment or an addendum.' },
  amend: { title: 'Amend the signed report', label: 'Reason for the amendment', field: 'reason', button: 'Open amendment', note: 'A new draft version opens with the signed text; readers keep seeing the signed report until you sign the amendment.' },
  addendum: { title: 'Add an addendum', label: 'Reason for the addendum', field: 'reason', button: 'Open addendum', note: 'The signed sections stay as they are; you write the addendum in a new section.' },
} as const;

function ActionDialog({ kind, onCancel, onSubmit }: { kind: 'sign' | 'amend' | 'addendum'; onCancel: () => void; onSubmit: (value: string) => Promise<ApiAnswer> }) {
  const text = DIALOGS[kind];
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <div className={styles.overlay}>
      <form
        method="post"
        className={`card ${styles.dialog}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setFieldError('');
          setFormError('');
          const answer = await onSubmit(value);
          if (answer.ok) return;
          setBusy(false);
          const wait = answer.status === 429 && answer.retryAfter ? ` Try again in ${answer.retryAfter} s.` : '';
          if (answer.fields[text.field]) setFieldError(answer.fields[text.field] + wait);
          else setFormError(answer.status === 409 ? 'Changed elsewhere — reload the page and try again.' : answer.message + wait);
        }}
      >
        <h2 id="dialog-title">{text.title}</h2>
        <p className={styles.muted}>{text.note}</p>
        <div className="field">
          <label htmlFor="dialog-value">{text.label}</label>
          {kind === 'sign' ? (
            <input id="dialog-value" type="password" autoComplete="current-password" value={value} onChange={(event) => setValue(event.target.value)} required autoFocus aria-describedby="dialog-error" />
          ) : (
            <textarea id="dialog-value" value={value} onChange={(event) => setValue(event.target.value)} required rows={3} maxLength={1000} autoFocus aria-describedby="dialog-error" />
          )}
          <p id="dialog-error" className={styles.error} role={fieldError ? 'alert' : undefined}>
            {fieldError}
          </p>
        </div>
        {formError && (
          <p className={styles.error} role="alert">
            {formError}
          </p>
        )}
        <div className={styles.buttons}>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Working…' : text.button}
          </button>
          <button type="button" className="button secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
