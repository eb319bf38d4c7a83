'use client';
// The create form of a second-opinion case: studies (the first checked is the
// one the report is written on), the question and history, attachments,
// priority with the due time it gives at the chosen addressee, and whom to ask.
// Send or Save as draft → POST /api/referrals; the API's per-field messages are
// shown beside their inputs. Then each attachment is uploaded (one request per
// file, with its progress); when all are in, the case opens.
import { useEffect, useState, type FormEvent } from 'react';
import { ConsentRequiredAlert, isConsentRequired, type ConsentRequiredAnswer } from '../../_components/consent/consent-required-alert';
import { saveFormDraft, takeFormDraft } from '../../_components/consent/form-draft';
import type { ReferralAddressees } from '../../../lib/referrals/list-addressees';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import { AddresseeSelect, addresseeOf, turnaroundOf } from '../_case/addressee-select';
import { clockText, durationText } from '../_case/case-time';
import styles from '../_case/case.module.css';
import { ATTACHMENT_ACCEPT, attachmentProblem, uploadAttachment } from '../_case/upload-attachment';

type Priority = 'ROUTINE' | 'URGENT' | 'STAT';
const PRIORITIES: { value: Priority; label: string }[] = [
  { value: 'ROUTINE', label: 'Routine' },
  { value: 'URGENT', label: 'Urgent' },
  { value: 'STAT', label: 'STAT' },
];

interface StudyChoice {
  studyInstanceUid: string;
  label: string;
  detail: string;
}

interface Upload {
  file: File;
  progress: number;
  error: string | null;
  done: boolean;
}

/** The addressee as the signing screen's recipient, to preselect it there */
function consentRecipientOf(value: string): { kind: 'SERVICE' | 'USER'; id: string } | null {
  const addressee = addresseeOf(value);
  if (!addressee) return null;
  return 'serviceId' in addressee ? { kind: 'SERVICE', id: addressee.serviceId } : { kind: 'USER', id: addressee.userId };
}

export function NewReferralForm({ studies, addressees, defaults }: { studies: StudyChoice[]; addressees: ReferralAddressees; defaults: Record<Priority, number> }) {
  const hydrated = useHydrated();
  const [chosen, setChosen] = useState<string[]>(studies.slice(0, 1).map((study) => study.studyInstanceUid));
  const [question, setQuestion] = useState('');
  const [history, setHistory] = useState('');
  const [priority, setPriority] = useState<Priority>('ROUTINE');
  const [addressee, setAddressee] = useState(addressees.services.length === 1 && !addressees.experts.length ? `service:${addressees.services[0].id}` : '');
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ id: string; path: string } | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [consentRequired, setConsentRequired] = useState<ConsentRequiredAnswer | null>(null);
  // The clinician's emergency override the case will rest on (issue 16), opened from the refusal
  const [overrideId, setOverrideId] = useState<string | null>(null);
  // Back from recording the patient's consent: the form as it was typed
  const draftKey = () => `referral:${window.location.pathname}${window.location.search}`;
  useEffect(() => {
    const draft = takeFormDraft<{ chosen: string[]; question: string; history: string; priority: Priority; addressee: string }>(draftKey());
    if (!draft) return;
    setChosen(draft.chosen.filter((uid) => studies.some((study) => study.studyInstanceUid === uid)));
    setQuestion(draft.question);
    setHistory(draft.history);
    setPriority(draft.priority);
    setAddressee(draft.addressee);
  }, [studies]);

  // A field's message goes once the field is changed
  const clear = (field: string) => setErrors(({ [field]: _dropped, form: _form, ...rest }) => rest);
  const minutes = turnaroundOf(addressees, addressee, priority, defaults);
  const fileProblems = files.map(attachmentProblem).filter((problem): problem is string => problem !== null);

  const runUploads = async (caseId: string, path: string, pending: Upload[]) => {
    let all = pending;
    setUploads(all);
    const update = (index: number, change: Partial<Upload>) => {
      all = all.map((entry, at) => (at === index ? { ...entry, ...change } : entry));
      setUploads(all);
    };
    for (const [index, entry] of all.entries()) {
      if (entry.done) continue;
      update(index, { error: null, progress: 0 });
      const outcome = await uploadAttachment(caseId, entry.file, (progress) => update(index, { progress }));
      update(index, outcome.ok ? { done: true, progress: 1 } : { error: outcome.message });
    }
    if (all.every((entry) => entry.done)) window.location.assign(path);
    else setBusy(false);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const send = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value') !== 'draft';
    if (created) {
      setBusy(true);
      return runUploads(created.id, created.path, uploads);
    }
    const local: Record<string, string> = {};
    if (!chosen.length) local.studyInstanceUids = 'Choose at least one study';
    if (!question.trim()) local.question = 'Write the clinical question';
    if (!addresseeOf(addressee)) local.addressee = 'Choose an expert or a service';
    if (fileProblems.length) local.attachments = fileProblems.join('; ');
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    // The order of the list: the first chosen is the study the case is about
    const studyInstanceUids = studies.map((study) => study.studyInstanceUid).filter((uid) => chosen.includes(uid));
    const result = await callApi<{ id: string; path: string }>('POST', '/api/referrals', { studyInstanceUids, question, history, priority, addressee: addresseeOf(addressee), send, ...(overrideId ? { overrideId } : {}) });
    if (!result.ok) {
      setBusy(false);
      if (isConsentRequired(result.status, result.data)) {
        setConsentRequired(result.data);
        saveFormDraft(draftKey(), { chosen, question, history, priority, addressee });
        setErrors({});
        return;
      }
      setConsentRequired(null);
      const fields: Record<string, string> = {};
      for (const [key, message] of Object.entries(result.data.fields ?? {})) fields[key.split('.')[0]] ??= message;
      setErrors({ ...fields, form: result.data.message ?? 'The case could not be created.' });
      return;
    }
    setCreated(result.data);
    if (!files.length) {
      window.location.assign(result.data.path);
      return;
    }
    await runUploads(result.data.id, result.data.path, files.map((file) => ({ file, progress: 0, error: null, done: false })));
  };

  const invalid = (field: string) => (errors[field] ? true : undefined);
  const fieldError = (field: string) =>
    errors[field] ? (
      <p className={styles.fieldError} id={`${field}-error`} role="alert">
        {errors[field]}
      </p>
    ) : null;
  const failed = uploads.filter((entry) => entry.error);

  return (
    <form method="post" className={styles.form} onSubmit={submit} noValidate>
      <fieldset aria-describedby={errors.studyInstanceUids ? 'studyInstanceUids-error' : undefined} disabled={created !== null}>
        <legend>Studies to read</legend>
        <ul className={styles.choices}>
          {studies.map((study, index) => (
            <li key={study.studyInstanceUid}>
              <label>
                <input
                  type="checkbox"
                  name="study"
                  value={study.studyInstanceUid}
                  checked={chosen.includes(study.studyInstanceUid)}
                  onChange={(event) => {
                    clear('studyInstanceUids');
                    setChosen(event.target.checked ? [...chosen, study.studyInstanceUid] : chosen.filter((uid) => uid !== study.studyInstanceUid));
                  }}
                />
                <span>
                  {study.label}
                  {index === 0 ? ' (this study)' : ' (prior)'}
                  <small>{study.detail}</small>
                </span>
              </label>
            </li>
          ))}
        </ul>
        <p className={styles.hint}>The first study chosen is the one the expert reports on; the others are priors to compare with.</p>
        {fieldError('studyInstanceUids')}
      </fieldset>

      <div className="field">
        <label htmlFor="referral-question">Clinical question (required)</label>
        <textarea
          id="referral-question"
          name="question"
          required
          maxLength={4000}
          value={question}
          onChange={(event) => {
            clear('question');
            setQuestion(event.target.value);
          }}
          aria-invalid={invalid('question')}
          aria-describedby={errors.question ? 'question-error' : undefined}
          readOnly={created !== null}
          placeholder="e.g. Ischaemic stroke? Any haemorrhage?"
        />
        {fieldError('question')}
      </div>
      <div className="field">
        <label htmlFor="referral-history">Relevant history</label>
        <textarea id="referral-history" name="history" maxLength={8000} value={history} onChange={(event) => {
            clear('history');
            setHistory(event.target.value);
          }} aria-invalid={invalid('history')} readOnly={created !== null} />
        {fieldError('history')}
      </div>
      <div className="field">
        <label htmlFor="referral-files">Attachments (PDF, JPEG or PNG; a referral letter, lab results)</label>
        <input
          id="referral-files"
          type="file"
          multiple
          accept={ATTACHMENT_ACCEPT}
          disabled={created !== null}
          aria-invalid={invalid('attachments')}
          onChange={(event) => {
            setFiles([...(event.target.files ?? [])]);
            clear('attachments');
          }}
        />
        {files.length > 0 && uploads.length === 0 && (
          <ul className={styles.files} aria-label="Chosen files">
            {files.map((file) => (
              <li key={`${file.name}:${file.size}`}>
                {file.name} <small>({Math.max(1, Math.round(file.size / 1024))} KB)</small>
                {attachmentProblem(file) && <strong className={styles.fieldError}>{attachmentProblem(file)}</strong>}
              </li>
            ))}
          </ul>
        )}
        {fieldError('attachments')}
      </div>

      <fieldset disabled={created !== null}>
        <legend>Priority</legend>
        <div className={styles.priorities}>
          {PRIORITIES.map((entry) => (
            <label key={entry.value}>
              <input type="radio" name="priority" value={entry.value} checked={priority === entry.value} onChange={() => {
                clear('priority');
                setPriority(entry.value);
              }} />
              {entry.label}
            </label>
          ))}
        </div>
        <p className={styles.due} data-testid="due-preview" aria-live="polite">
          Due within {durationText(minutes * 60_000)}
          {hydrated ? ` — by ${clockText(new Date(Date.now() + minutes * 60_000), true)}` : ''}
          {addresseeOf(addressee) ? '' : ' (the chosen service may set its own)'}
        </p>
        {fieldError('priority')}
      </fieldset>

      <div className="field">
        <label htmlFor="referral-addressee">Ask (a service or a named expert)</label>
        <AddresseeSelect id="referral-addressee" addressees={addressees} value={addressee} onChange={(value) => {
          clear('addressee');
          setAddressee(value);
        }} invalid={Boolean(errors.addressee)} />
        <p className={styles.hint}>A service is a pool of experts: the first to claim the case takes it.</p>
        {fieldError('addressee')}
      </div>

      {uploads.length > 0 && (
        <ul className={styles.files} aria-label="Attachments being sent">
          {uploads.map((entry) => (
            <li key={`${entry.file.name}:${entry.file.size}`}>
              <span>{entry.file.name}</span>
              <progress max={1} value={entry.progress} aria-label={`${entry.file.name} sent`} />
              <span>{entry.done ? 'attached' : entry.error ? '' : `${Math.round(entry.progress * 100)} %`}</span>
              {entry.error && <strong className={styles.fieldError}>{entry.error}</strong>}
            </li>
          ))}
        </ul>
      )}
      {consentRequired && !created && (
        <ConsentRequiredAlert
          answer={consentRequired}
          recipient={consentRecipientOf(addressee)}
          onOverride={(id) => {
            setOverrideId(id);
            setConsentRequired(null);
            setErrors({ form: 'Emergency override opened: send the case again to share it on the override.' });
          }}
        />
      )}
      {errors.form && !created && (
        <div className="alert error" role="alert">
          {errors.form}
        </div>
      )}
      {created && failed.length > 0 && !busy && (
        <div className="alert warn" role="alert">
          The case is saved, but {failed.length === 1 ? 'one file was' : `${failed.length} files were`} not attached. Try again, or <a href={created.path}>open the case</a> without {failed.length === 1 ? 'it' : 'them'}.
        </div>
      )}
      <div className={styles.buttons}>
        {created ? (
          <button type="submit" className="button" disabled={!hydrated || busy}>
            {busy ? 'Attaching…' : 'Try the attachments again'}
          </button>
        ) : (
          <>
            <button type="submit" name="intent" value="send" className="button" disabled={!hydrated || busy}>
              {busy ? 'Sending…' : 'Send'}
            </button>
            <button type="submit" name="intent" value="draft" className="button secondary" disabled={!hydrated || busy}>
              Save as draft
            </button>
          </>
        )}
      </div>
    </form>
  );
}
