'use client';
// "Start a teleconsultation" on a study or a patient page: which study (the
// patient page offers each), a title, and up to five colleagues of any
// facility, picked by name or e-mail. A typed name that matches nobody, or
// several people, is answered at once (lib/consult/match-colleague.ts); the
// API gets user ids. On success the room opens.
import { useEffect, useState } from 'react';
import { colleagueLabel, matchColleague, type InvitableColleague } from '../../../lib/consult/match-colleague';
import { callApi } from '../../admin/_components/api-call';
import { ConsentRequiredAlert, isConsentRequired, type ConsentRequiredAnswer } from '../consent/consent-required-alert';
import { saveFormDraft, takeFormDraft } from '../consent/form-draft';

export interface StudyChoice {
  studyInstanceUid: string;
  label: string;
}

export type ColleagueChoice = InvitableColleague;

const MAX_INVITEES = 5;

/** One invitee with an account: the signing screen can preselect them as the named person */
function soleInvitee(invitees: ColleagueChoice[]): { kind: 'USER'; id: string } | null {
  return invitees.length === 1 && !invitees[0].id.includes('@') ? { kind: 'USER', id: invitees[0].id } : null;
}

export function StartConsultationForm({ studies, colleagues, defaultTitle }: { studies: StudyChoice[]; colleagues: ColleagueChoice[]; defaultTitle: string }) {
  const [studyInstanceUid, setStudy] = useState(studies[0]?.studyInstanceUid ?? '');
  const [title, setTitle] = useState(defaultTitle);
  const [typed, setTyped] = useState('');
  const [invitees, setInvitees] = useState<ColleagueChoice[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [consentRequired, setConsentRequired] = useState<ConsentRequiredAnswer | null>(null);
  // The host's emergency override the invitations will rest on (issue 16), opened from the refusal
  const [overrideId, setOverrideId] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const draftKey = () => `consultation:${window.location.pathname}`;
  // Back from recording the patient's consent: the form as it was, open
  useEffect(() => {
    const draft = takeFormDraft<{ studyInstanceUid: string; title: string; invitees: ColleagueChoice[] }>(draftKey());
    if (!draft) return;
    if (studies.some((study) => study.studyInstanceUid === draft.studyInstanceUid)) setStudy(draft.studyInstanceUid);
    setTitle(draft.title);
    setInvitees(draft.invitees.slice(0, MAX_INVITEES));
    setOpen(true);
  }, [studies]);

  /** The invitees with what is typed in the box added, or null (and the reason shown) when it names nobody or several people. */
  const withTyped = (): ColleagueChoice[] | null => {
    if (!typed.trim()) return invitees;
    const match = matchColleague(colleagues, typed);
    // An e-mail not in the list (the list holds 2000 at most) is left to the server to find or refuse
    const email = typed.trim().toLowerCase();
    const colleague = match.kind === 'one' ? match.colleague : /^[^\s@]+@[^\s@]+$/.test(email) ? { id: email, email, name: '', facilities: [] } : null;
    if (!colleague) {
      if (match.kind !== 'one') setErrors({ invitees: match.message });
      return null;
    }
    setErrors({});
    setTyped('');
    const all = invitees.some((entry) => entry.id === colleague.id) ? invitees : [...invitees, colleague];
    setInvitees(all.slice(0, MAX_INVITEES));
    return all;
  };

  return (
    <details className="card" style={{ marginTop: '1rem' }} open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary style={{ cursor: 'pointer', fontWeight: 600 }}>Start a teleconsultation</summary>
      <p className="lead" style={{ marginTop: '0.5rem' }}>
        Look at these images together, live, with colleagues of any facility: everyone sees the presenter&apos;s view and each other&apos;s measurements as they are drawn, and can talk.
      </p>
      <form
        method="post"
        onSubmit={async (event) => {
          event.preventDefault();
          const all = withTyped();
          if (!all) return;
          setBusy(true);
          setErrors({});
          const result = await callApi<{ id: string; path: string }>('POST', '/api/consultations', { studyInstanceUid, title, invitees: all.map((entry) => entry.id), ...(overrideId ? { overrideId } : {}) });
          setBusy(false);
          if (result.ok) {
            window.location.assign(result.data.path);
            return;
          }
          if (isConsentRequired(result.status, result.data)) {
            setConsentRequired(result.data);
            saveFormDraft(draftKey(), { studyInstanceUid, title, invitees: all });
            return;
          }
          setConsentRequired(null);
          setErrors(result.data.fields ?? { form: result.data.message ?? 'The teleconsultation could not be started.' });
        }}
      >
        {studies.length > 1 && (
          <div className="field">
            <label htmlFor="consult-study">Study</label>
            <select id="consult-study" value={studyInstanceUid} onChange={(event) => setStudy(event.target.value)}>
              {studies.map((study) => (
                <option key={study.studyInstanceUid} value={study.studyInstanceUid}>
                  {study.label}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="consult-title">Title</label>
          <input id="consult-title" maxLength={200} value={title} onChange={(event) => setTitle(event.target.value)} />
          {errors.title && <span className="alert error">{errors.title}</span>}
        </div>
        <div className="field">
          <label htmlFor="consult-invitee">Invite colleagues (up to {MAX_INVITEES})</label>
          <div style={{ display: 'flex', gap: '0.5rem' }}>
            <input
              id="consult-invitee"
              list="consult-colleagues"
              placeholder="Name or e-mail"
              value={typed}
              style={{ flex: 1 }}
              onChange={(event) => setTyped(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  withTyped();
                }
              }}
            />
            <button type="button" className="button secondary" onClick={() => withTyped()} disabled={invitees.length >= MAX_INVITEES}>
              Add
            </button>
          </div>
          <datalist id="consult-colleagues">
            {/* The value only, no label: Chromium shows a label in place of the value, and the person is what one picks */}
            {colleagues.map((colleague) => (
              <option key={colleague.id} value={colleagueLabel(colleague)} />
            ))}
          </datalist>
          {invitees.length > 0 && (
            <ul className="list" aria-label="Invited">
              {invitees.map((colleague) => (
                <li key={colleague.id}>
                  <span>{colleagueLabel(colleague)}</span>
                  <button type="button" className="button secondary small" onClick={() => setInvitees(invitees.filter((entry) => entry.id !== colleague.id))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          {errors.invitees && (
            <span className="alert error" role="alert">
              {errors.invitees}
            </span>
          )}
        </div>
        {consentRequired && (
          <ConsentRequiredAlert
            answer={consentRequired}
            recipient={soleInvitee(invitees)}
            onOverride={(id) => {
              setOverrideId(id);
              setConsentRequired(null);
              setErrors({ form: 'Emergency override opened: start the teleconsultation again to share on the override.' });
            }}
          />
        )}
        {(errors.form || errors.studyInstanceUid) && (
          <div className="alert error" role="alert">
            {errors.form ?? errors.studyInstanceUid}
          </div>
        )}
        <button type="submit" className="button" disabled={busy || (!invitees.length && !typed.trim())}>
          {busy ? 'Starting…' : 'Start and open the session'}
        </button>
      </form>
    </details>
  );
}
