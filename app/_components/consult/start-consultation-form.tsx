'use client';
// "Start a teleconsultation" on a study or a patient page: which study (the
// patient page offers each), a title, and up to five colleagues of any
// facility, picked by name or e-mail. On success the room opens.
import { useState } from 'react';
import { callApi } from '../../admin/_components/api-call';

export interface StudyChoice {
  studyInstanceUid: string;
  label: string;
}

export interface ColleagueChoice {
  email: string;
  name: string;
  facilities: string[];
}

const MAX_INVITEES = 5;

export function StartConsultationForm({ studies, colleagues, defaultTitle }: { studies: StudyChoice[]; colleagues: ColleagueChoice[]; defaultTitle: string }) {
  const [studyInstanceUid, setStudy] = useState(studies[0]?.studyInstanceUid ?? '');
  const [title, setTitle] = useState(defaultTitle);
  const [typed, setTyped] = useState('');
  const [invitees, setInvitees] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const describe = (email: string) => {
    const colleague = colleagues.find((entry) => entry.email === email);
    return colleague ? `${colleague.name} — ${email}` : email;
  };
  const add = () => {
    // "Name — email" from the list, or a bare e-mail typed in
    const email = (typed.includes(' — ') ? typed.split(' — ').pop()! : typed).trim().toLowerCase();
    if (!email) return;
    if (!invitees.includes(email) && invitees.length < MAX_INVITEES) setInvitees([...invitees, email]);
    setTyped('');
  };

  return (
    <details className="card" style={{ marginTop: '1rem' }}>
      <summary style={{ cursor: 'pointer', fontWeight: 600 }}>Start a teleconsultation</summary>
      <p className="lead" style={{ marginTop: '0.5rem' }}>
        Look at these images together, live, with colleagues of any facility: everyone sees the presenter&apos;s view and each other&apos;s measurements as they are drawn, and can talk.
      </p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const all = typed.trim() ? [...invitees, typed.trim().toLowerCase()] : invitees;
          setBusy(true);
          setErrors({});
          const result = await callApi<{ id: string; path: string }>('POST', '/api/consultations', { studyInstanceUid, title, invitees: all });
          setBusy(false);
          if (result.ok) {
            window.location.assign(result.data.path);
            return;
          }
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
                  add();
                }
              }}
            />
            <button type="button" className="button secondary" onClick={add} disabled={invitees.length >= MAX_INVITEES}>
              Add
            </button>
          </div>
          <datalist id="consult-colleagues">
            {colleagues.map((colleague) => (
              <option key={colleague.email} value={`${colleague.name} — ${colleague.email}`}>
                {colleague.facilities.join(', ')}
              </option>
            ))}
          </datalist>
          {invitees.length > 0 && (
            <ul className="list" aria-label="Invited">
              {invitees.map((email) => (
                <li key={email}>
                  <span>{describe(email)}</span>
                  <button type="button" className="button secondary small" onClick={() => setInvitees(invitees.filter((entry) => entry !== email))}>
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
