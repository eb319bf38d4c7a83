'use client';
// The moves the caller may make on the case now (view.actions from
// lib/referrals/referral-states.ts), each a button; those that need words
// open a small form (decline: the reason; ask / answer: the message; forward:
// whom and a note; redirect: whom; cancel: why). Each posts to
// /api/referrals/{id}/transitions with the revision the page was drawn from,
// so a move on a case that changed meanwhile is refused, not applied blindly;
// the API's message is shown on any refusal. Also: Write report (the owner
// while the case can be completed) and Start teleconsultation.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { ReferralAddressees } from '../../../lib/referrals/list-addressees';
import type { ReferralAction } from '../../../lib/referrals/referral-states';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import { AddresseeSelect, addresseeOf } from '../_case/addressee-select';
import styles from '../_case/case.module.css';

const ORDER: ReferralAction[] = ['send', 'claim', 'start', 'answer', 'ask', 'forward', 'decline', 'redirect', 'close', 'cancel'];
const LABEL: Record<ReferralAction, string> = {
  send: 'Send',
  claim: 'Claim',
  start: 'Start',
  answer: 'Answer',
  ask: 'Ask a question',
  forward: 'Forward',
  decline: 'Decline',
  redirect: 'Redirect',
  close: 'Close',
  cancel: 'Cancel case',
};
const WITH_FORM: ReferralAction[] = ['decline', 'ask', 'answer', 'forward', 'redirect', 'cancel'];

interface Props {
  referralId: string;
  revision: number;
  status: string;
  actions: ReferralAction[];
  addressees: ReferralAddressees;
  currentAddressee: string;
  reportPath: string | null;
  mayConsult: boolean;
}

export function CaseActions({ referralId, revision, status, actions, addressees, currentAddressee, reportPath, mayConsult }: Props) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [chosen, setOpen] = useState<ReferralAction | null>(null);
  // A form whose move the case no longer allows (it changed meanwhile) closes by itself
  const open = chosen && actions.includes(chosen) ? chosen : null;
  const [text, setText] = useState('');
  const [addressee, setAddressee] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const shown = ORDER.filter((action) => actions.includes(action));
  const base = `/api/referrals/${encodeURIComponent(referralId)}`;

  const move = async (action: ReferralAction) => {
    const body: Record<string, unknown> = { action, revision };
    if (action === 'ask' || action === 'answer') body.message = text;
    if (action === 'decline' || action === 'cancel' || action === 'forward' || action === 'redirect') body.reason = text;
    if (action === 'forward' || action === 'redirect') body.addressee = addresseeOf(addressee) ?? {};
    setBusy(true);
    setError(null);
    const result = await callApi<{ status: string }>('POST', `${base}/transitions`, body);
    setBusy(false);
    if (result.ok) {
      setOpen(null);
      setText('');
      setAddressee('');
    } else {
      setError({ message: result.data.message ?? `The server answered ${result.status}.`, fields: result.data.fields ?? {} });
    }
    // Either way the page shows the case as it is now (a refusal usually means it changed)
    if (result.ok || result.status === 409) router.refresh();
  };

  const startConsultation = async () => {
    setBusy(true);
    setError(null);
    const result = await callApi<{ path: string }>('POST', `${base}/consultation`);
    if (result.ok) {
      window.location.assign(result.data.path);
      return;
    }
    setBusy(false);
    setError({ message: result.data.message ?? `The server answered ${result.status}.`, fields: {} });
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (open) void move(open);
  };

  const fieldError = (field: string) => error?.fields[field] && <p className={styles.fieldError}>{error.fields[field]}</p>;

  return (
    <div data-testid="case-actions" data-revision={revision}>
      <div className={styles.actions}>
        {reportPath && (
          <a className="button" href={reportPath}>
            Write report
          </a>
        )}
        {shown.map((action) =>
          WITH_FORM.includes(action) ? (
            <button
              key={action}
              type="button"
              className={`button${action === 'answer' ? '' : ' secondary'}`}
              aria-expanded={open === action}
              disabled={!hydrated || busy}
              onClick={() => {
                setOpen(open === action ? null : action);
                setError(null);
              }}
            >
              {LABEL[action]}
            </button>
          ) : (
            <button key={action} type="button" className="button" disabled={!hydrated || busy} onClick={() => void move(action)}>
              {LABEL[action]}
            </button>
          ),
        )}
        {mayConsult && (
          <button type="button" className="button secondary" disabled={!hydrated || busy} onClick={() => void startConsultation()}>
            Start teleconsultation
          </button>
        )}
      </div>
      {!shown.length && !reportPath && !mayConsult && <p className={styles.hint}>Nothing to do on this case now{status === 'CLOSED' || status === 'CANCELLED' ? ': it is over' : ''}.</p>}

      {open && (
        <form method="post" className={styles.actionForm} onSubmit={submit} aria-label={LABEL[open]}>
          {(open === 'forward' || open === 'redirect') && (
            <div className="field">
              <label htmlFor="case-addressee">{open === 'forward' ? 'Forward to' : 'Send to'}</label>
              <AddresseeSelect id="case-addressee" addressees={addressees} value={addressee} onChange={setAddressee} exclude={open === 'forward' ? [currentAddressee] : []} invalid={Boolean(error?.fields.addressee)} />
              {fieldError('addressee')}
            </div>
          )}
          <label htmlFor="case-text">
            {open === 'decline' && 'Why you decline (required)'}
            {open === 'ask' && 'Your question to the requesting doctor'}
            {open === 'answer' && 'Your answer'}
            {open === 'forward' && 'A note for the next expert (required)'}
            {open === 'redirect' && 'A note (optional)'}
            {open === 'cancel' && 'Why you cancel (optional)'}
          </label>
          <textarea
            id="case-text"
            value={text}
            required={open !== 'redirect' && open !== 'cancel'}
            maxLength={open === 'ask' || open === 'answer' ? 8000 : 1000}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={error && (error.fields.reason || error.fields.message) ? true : undefined}
          />
          {fieldError('reason')}
          {fieldError('message')}
          <div className={styles.buttons}>
            <button type="submit" className={`button${open === 'decline' || open === 'cancel' ? ` ${styles.danger}` : ''}`} disabled={!hydrated || busy}>
              {open === 'ask' ? 'Send the question' : open === 'answer' ? 'Send the answer' : open === 'forward' ? 'Forward the case' : open === 'redirect' ? 'Send the case' : open === 'decline' ? 'Decline the case' : 'Cancel the case'}
            </button>
            <button type="button" className="button secondary" onClick={() => setOpen(null)} disabled={busy}>
              Back
            </button>
          </div>
        </form>
      )}
      {error && (
        <div className="alert error" role="alert" style={{ marginTop: '0.75rem' }}>
          {error.message}
        </div>
      )}
    </div>
  );
}
