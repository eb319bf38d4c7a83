'use client';
// The consent form of the signing screen (and of a scanned or verbal consent):
// the terms (permit or deny, to whom, purposes, data, period), then the
// evidence — the facility's form text in the patient's language with the
// signature box, signer and witness; or the scanned form; or the witness of a
// verbal consent. Large targets for a tablet held by the patient. POST
// /api/patients/{id}/consents (JSON, or multipart with the scan); the server's
// per-field messages are shown beside their inputs (an empty box: signature).
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { CONSENT_PURPOSES, CONSENT_PURPOSE_WORDS, type ConsentPurpose } from '../../../../../lib/consent/consent-types';
import type { ConsentFormChoices } from '../../../../../lib/consent/consent-form-choices';
import { displayDate } from '../../../../../lib/display/dicom-display';
import { useHydrated } from '../../../../_lib/use-hydrated';
import { SignaturePad, type SignaturePadHandle } from '../signature-pad';
import styles from '../consent.module.css';

export type EvidenceMode = 'SIGNED' | 'SCANNED' | 'VERBAL';
type RecipientKind = 'REGION' | 'FACILITY' | 'SERVICE' | 'USER';

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', fr: 'Français', de: 'Deutsch', es: 'Español', it: 'Italiano', pt: 'Português', nl: 'Nederlands', ar: 'العربية' };
const languageName = (tag: string) => LANGUAGE_NAMES[tag.split('-')[0]] ?? tag;

export interface RecordConsentDefaults {
  purpose?: string;
  recipientKind?: string;
  recipientId?: string;
}

type Choices = Omit<ConsentFormChoices, 'patient'> & { patient: { id: string; name: string; facilityName: string } };

export function RecordConsentForm({ choices, mode, defaults, returnTo }: { choices: Choices; mode: EvidenceMode; defaults: RecordConsentDefaults; returnTo: string }) {
  const hydrated = useHydrated();
  const pad = useRef<SignaturePadHandle>(null);
  const known = (kind: string | undefined, id: string | undefined): boolean =>
    (kind === 'FACILITY' && choices.facilities.some((row) => row.id === id)) || (kind === 'SERVICE' && choices.services.some((row) => row.id === id)) || (kind === 'USER' && choices.people.some((row) => row.userId === id));
  const [decision, setDecision] = useState<'PERMIT' | 'DENY'>('PERMIT');
  const [recipientKind, setRecipientKind] = useState<RecipientKind>(known(defaults.recipientKind, defaults.recipientId) ? (defaults.recipientKind as RecipientKind) : 'REGION');
  const [recipientId, setRecipientId] = useState(known(defaults.recipientKind, defaults.recipientId) ? (defaults.recipientId ?? '') : '');
  const [purposes, setPurposes] = useState<ConsentPurpose[]>(CONSENT_PURPOSES.includes(defaults.purpose as ConsentPurpose) ? [defaults.purpose as ConsentPurpose] : ['SECOND_OPINION', 'TELECONSULTATION']);
  const [scope, setScope] = useState<'ALL' | 'STUDIES'>('ALL');
  const [studyUids, setStudyUids] = useState<string[]>([]);
  const [validFrom, setValidFrom] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const formKeys = useMemo(() => [...new Set(choices.forms.map((form) => form.key))], [choices.forms]);
  const [formKey] = useState(formKeys[0] ?? '');
  const languages = choices.forms.filter((form) => form.key === formKey);
  const [language, setLanguage] = useState(languages[0]?.language ?? '');
  const form = languages.find((row) => row.language === language) ?? languages[0];
  const [signerRole, setSignerRole] = useState<'PATIENT' | 'REPRESENTATIVE'>('PATIENT');
  const [signerName, setSignerName] = useState(choices.patient.name);
  const [relation, setRelation] = useState('');
  const [witnessName, setWitnessName] = useState('');
  const [note, setNote] = useState('');
  const [scan, setScan] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const clear = (...fields: string[]) => setErrors((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !fields.includes(key) && key !== 'form')));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (recipientKind !== 'REGION' && !recipientId) local.recipient = 'Choose to whom';
    if (!purposes.length) local.purposes = 'Choose at least one purpose';
    if (scope === 'STUDIES' && !studyUids.length) local.data = 'Choose at least one study';
    if (mode === 'SIGNED' && !form) local.formId = 'This facility has no consent form to sign: ask its administrator, or record a scanned or verbal consent';
    if (mode === 'SCANNED' && !scan) local.scan = 'Choose the scanned form (PDF or JPEG)';
    if (mode !== 'SCANNED' && !witnessName.trim()) local.witnessName = "Type the witness's name";
    if (mode === 'SIGNED' && !signerName.trim()) local.signerName = "Type the signer's name";
    if (mode === 'SIGNED' && signerRole === 'REPRESENTATIVE' && !relation.trim()) local.representativeRelation = 'Say how the representative is related to the patient';
    // An empty box goes to the server too: its refusal (fields.signature) is the one message for it
    setErrors(local);
    if (Object.keys(local).length) return;
    const recipient = recipientKind === 'REGION' ? { kind: 'REGION' } : recipientKind === 'FACILITY' ? { kind: 'FACILITY', facilityId: recipientId } : recipientKind === 'SERVICE' ? { kind: 'SERVICE', serviceId: recipientId } : { kind: 'USER', userId: recipientId };
    const evidence =
      mode === 'SIGNED'
        ? { kind: 'SIGNED', formId: form!.id, signature: pad.current?.toDataUrl() ?? '', signerRole, signerName, representativeRelation: signerRole === 'REPRESENTATIVE' ? relation : '', witnessName }
        : mode === 'SCANNED'
          ? { kind: 'SCANNED', signerName, witnessName, note }
          : { kind: 'VERBAL', witnessName, signerName, note };
    const consent = {
      decision,
      recipient,
      purposes,
      data: scope === 'ALL' ? { scope: 'ALL' } : { scope: 'STUDIES', studyUids },
      ...(validFrom ? { validFrom: new Date(`${validFrom}T00:00:00`).toISOString() } : {}),
      ...(validUntil ? { validUntil: new Date(`${validUntil}T23:59:59`).toISOString() } : {}),
      evidence,
    };
    setBusy(true);
    let response: Response;
    try {
      if (mode === 'SCANNED') {
        const body = new FormData();
        body.set('consent', JSON.stringify(consent));
        body.set('scan', scan!);
        response = await fetch(`/api/patients/${encodeURIComponent(choices.patient.id)}/consents`, { method: 'POST', body, credentials: 'same-origin' });
      } else {
        response = await fetch(`/api/patients/${encodeURIComponent(choices.patient.id)}/consents`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(consent), credentials: 'same-origin' });
      }
    } catch {
      setBusy(false);
      setErrors({ form: 'The server could not be reached. Check the connection and try again: nothing was saved.' });
      return;
    }
    const data = (await response.json().catch(() => ({}))) as { id?: string; message?: string; fields?: Record<string, string> };
    if (!response.ok || !data.id) {
      setBusy(false);
      const fields: Record<string, string> = {};
      for (const [key, message] of Object.entries(data.fields ?? {})) fields[key.startsWith('evidence.') ? key.split('.').pop()! : key.split('.')[0]] ??= message;
      setErrors({ ...fields, form: data.message ?? 'The consent could not be saved.' });
      return;
    }
    // Back where the user came from (a refused form finds its typed content again), or the patient's consents
    window.location.assign(returnTo.startsWith('/patients/') && !returnTo.includes('#') ? `${returnTo}#consent` : returnTo);
  };

  const fieldError = (field: string) =>
    errors[field] ? (
      <p className={styles.fieldError} id={`${field}-error`} role="alert">
        {errors[field]}
      </p>
    ) : null;
  const togglePurpose = (purpose: ConsentPurpose, on: boolean) => {
    clear('purposes');
    setPurposes((current) => (on ? [...current, purpose] : current.filter((entry) => entry !== purpose)));
  };

  return (
    <form className={styles.consentForm} onSubmit={submit} noValidate aria-busy={busy}>
      <fieldset className={styles.group} disabled={busy}>
        <legend>The patient&rsquo;s decision</legend>
        <div className={styles.choiceRow}>
          <label className={styles.bigChoice} data-tone="permit">
            <input type="radio" name="decision" value="PERMIT" checked={decision === 'PERMIT'} onChange={() => setDecision('PERMIT')} />
            <span>
              <strong>I agree</strong> to share my images
            </span>
          </label>
          <label className={styles.bigChoice} data-tone="deny">
            <input type="radio" name="decision" value="DENY" checked={decision === 'DENY'} onChange={() => setDecision('DENY')} />
            <span>
              <strong>I refuse</strong> to share my images
            </span>
          </label>
        </div>
      </fieldset>

      <fieldset className={styles.group} disabled={busy} aria-describedby={errors.recipient ? 'recipient-error' : undefined}>
        <legend>With whom</legend>
        <div className={styles.choiceGrid}>
          {(
            [
              ['REGION', 'Any facility of the region'],
              ['FACILITY', 'A facility'],
              ['SERVICE', 'A service'],
              ['USER', 'A named person'],
            ] as const
          ).map(([kind, label]) => (
            <label key={kind} className={styles.choice}>
              <input
                type="radio"
                name="recipientKind"
                value={kind}
                checked={recipientKind === kind}
                onChange={() => {
                  clear('recipient');
                  setRecipientKind(kind);
                  setRecipientId('');
                }}
              />
              <span>{label}</span>
            </label>
          ))}
        </div>
        {recipientKind !== 'REGION' && (
          <label className={styles.field}>
            <span>{recipientKind === 'FACILITY' ? 'Facility' : recipientKind === 'SERVICE' ? 'Service' : 'Person'}</span>
            <select
              aria-label={recipientKind === 'FACILITY' ? 'Facility' : recipientKind === 'SERVICE' ? 'Service' : 'Person'}
              value={recipientId}
              aria-invalid={errors.recipient ? true : undefined}
              onChange={(event) => {
                clear('recipient');
                setRecipientId(event.target.value);
              }}
            >
              <option value="">Choose…</option>
              {recipientKind === 'FACILITY' && choices.facilities.map((row) => <option key={row.id} value={row.id}>{row.name}</option>)}
              {recipientKind === 'SERVICE' && choices.services.map((row) => <option key={row.id} value={row.id}>{`${row.name}, ${row.facilityName}`}</option>)}
              {recipientKind === 'USER' && choices.people.map((row) => <option key={row.userId} value={row.userId}>{`${row.name}, ${row.facilityName}`}</option>)}
            </select>
          </label>
        )}
        {fieldError('recipient')}
      </fieldset>

      <fieldset className={styles.group} disabled={busy} aria-describedby={errors.purposes ? 'purposes-error' : undefined}>
        <legend>For what</legend>
        <div className={styles.choiceGrid}>
          {CONSENT_PURPOSES.map((purpose) => (
            <label key={purpose} className={styles.choice}>
              <input type="checkbox" checked={purposes.includes(purpose)} onChange={(event) => togglePurpose(purpose, event.target.checked)} />
              <span>{CONSENT_PURPOSE_WORDS[purpose][0].toUpperCase() + CONSENT_PURPOSE_WORDS[purpose].slice(1)}</span>
            </label>
          ))}
        </div>
        {fieldError('purposes')}
      </fieldset>

      <fieldset className={styles.group} disabled={busy} aria-describedby={errors.data ? 'data-error' : undefined}>
        <legend>Which images</legend>
        <div className={styles.choiceRow}>
          <label className={styles.choice}>
            <input type="radio" name="scope" checked={scope === 'ALL'} onChange={() => (clear('data'), setScope('ALL'))} />
            <span>All my imaging</span>
          </label>
          <label className={styles.choice}>
            <input type="radio" name="scope" checked={scope === 'STUDIES'} onChange={() => (clear('data'), setScope('STUDIES'))} />
            <span>Only the studies chosen below</span>
          </label>
        </div>
        {scope === 'STUDIES' && (
          <ul className={styles.studyList}>
            {choices.studies.map((study) => (
              <li key={study.studyInstanceUid}>
                <label className={styles.choice}>
                  <input
                    type="checkbox"
                    checked={studyUids.includes(study.studyInstanceUid)}
                    onChange={(event) => {
                      clear('data');
                      setStudyUids((current) => (event.target.checked ? [...current, study.studyInstanceUid] : current.filter((uid) => uid !== study.studyInstanceUid)));
                    }}
                  />
                  <span>
                    {displayDate(study.studyDate) || 'No date'} · {study.modalities || '—'} · {study.description || 'Study without description'} <small>({study.facility})</small>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {fieldError('data')}
      </fieldset>

      <fieldset className={styles.group} disabled={busy}>
        <legend>For how long</legend>
        <div className={styles.period}>
          <label className={styles.field}>
            <span>From (empty: today)</span>
            <input type="date" aria-label="From" value={validFrom} onChange={(event) => (clear('validFrom', 'validUntil'), setValidFrom(event.target.value))} />
          </label>
          <label className={styles.field}>
            <span>Until (empty: until revoked)</span>
            <input type="date" aria-label="Until" value={validUntil} aria-invalid={errors.validUntil ? true : undefined} onChange={(event) => (clear('validFrom', 'validUntil'), setValidUntil(event.target.value))} />
          </label>
        </div>
        {fieldError('validUntil')}
        {fieldError('validFrom')}
      </fieldset>

      {mode === 'SIGNED' && (
        <section className={styles.group} aria-labelledby="form-text-title">
          {languages.length > 1 && (
            <label className={styles.field}>
              <span>Language of the form</span>
              <select aria-label="Language of the form" value={language} onChange={(event) => setLanguage(event.target.value)} disabled={busy}>
                {languages.map((row) => (
                  <option key={row.id} value={row.language} lang={row.language}>
                    {languageName(row.language)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {form ? (
            <article className={styles.formText} lang={form.language} data-testid="consent-form-text">
              <h2 id="form-text-title">{form.title}</h2>
              {form.body.split(/\n{2,}/).map((paragraph, index) => (
                <p key={index}>{paragraph}</p>
              ))}
              <small>
                Form {form.key}, version {form.version} ({form.language})
              </small>
            </article>
          ) : (
            <h2 id="form-text-title">Consent form</h2>
          )}
          {fieldError('formId')}
          <div className={styles.choiceRow} role="radiogroup" aria-label="Who signs">
            <label className={styles.choice}>
              <input type="radio" name="signerRole" checked={signerRole === 'PATIENT'} onChange={() => setSignerRole('PATIENT')} disabled={busy} />
              <span>The patient signs</span>
            </label>
            <label className={styles.choice}>
              <input type="radio" name="signerRole" checked={signerRole === 'REPRESENTATIVE'} onChange={() => (setSignerRole('REPRESENTATIVE'), setSignerName(''))} disabled={busy} />
              <span>A representative signs</span>
            </label>
          </div>
          <div className={styles.period}>
            <label className={styles.field}>
              <span>Signer&rsquo;s name</span>
              <input aria-label="Signer’s name" value={signerName} autoComplete="off" aria-invalid={errors.signerName ? true : undefined} onChange={(event) => (clear('signerName'), setSignerName(event.target.value))} disabled={busy} />
              {fieldError('signerName')}
            </label>
            {signerRole === 'REPRESENTATIVE' && (
              <label className={styles.field}>
                <span>Relation to the patient</span>
                <input aria-label="Relation to the patient" value={relation} placeholder="e.g. mother, legal guardian" aria-invalid={errors.representativeRelation ? true : undefined} onChange={(event) => (clear('representativeRelation'), setRelation(event.target.value))} disabled={busy} />
                {fieldError('representativeRelation')}
              </label>
            )}
          </div>
          <SignaturePad ref={pad} error={errors.signature} onChange={() => clear('signature')} />
        </section>
      )}

      {mode === 'SCANNED' && (
        <fieldset className={styles.group} disabled={busy}>
          <legend>The scanned form</legend>
          <label className={styles.field}>
            <span>Signed paper form (PDF or JPEG, at most 20 MB)</span>
            <input type="file" aria-label="Scanned form" accept="application/pdf,image/jpeg" aria-invalid={errors.scan ? true : undefined} onChange={(event) => (clear('scan'), setScan(event.target.files?.[0] ?? null))} />
          </label>
          {fieldError('scan')}
          <label className={styles.field}>
            <span>Signed by (optional)</span>
            <input value={signerName} onChange={(event) => setSignerName(event.target.value)} />
          </label>
        </fieldset>
      )}

      {mode === 'VERBAL' && (
        <fieldset className={styles.group} disabled={busy}>
          <legend>What the patient said</legend>
          <label className={styles.field}>
            <span>Patient or representative who spoke (optional)</span>
            <input value={signerName} onChange={(event) => setSignerName(event.target.value)} />
          </label>
          <label className={styles.field}>
            <span>Note (what was explained, what was said)</span>
            <textarea rows={3} value={note} onChange={(event) => setNote(event.target.value)} />
          </label>
        </fieldset>
      )}

      <fieldset className={styles.group} disabled={busy}>
        <legend>Witness</legend>
        <label className={styles.field}>
          <span>Witness&rsquo;s name{mode === 'SCANNED' ? ' (optional)' : ''}</span>
          <input aria-label="Witness’s name" value={witnessName} autoComplete="off" aria-invalid={errors.witnessName ? true : undefined} onChange={(event) => (clear('witnessName'), setWitnessName(event.target.value))} />
          {fieldError('witnessName')}
        </label>
      </fieldset>

      {errors.form && (
        <div className="alert error" role="alert">
          {errors.form}
        </div>
      )}
      <div className={styles.submitRow}>
        <button type="submit" className={`button ${styles.bigButton}`} disabled={!hydrated || busy}>
          {busy ? (mode === 'SIGNED' ? 'Saving the signed form…' : 'Saving…') : mode === 'SIGNED' ? 'Save the signed consent' : mode === 'SCANNED' ? 'Upload and save' : 'Save the verbal consent'}
        </button>
        {busy && (
          <span className={styles.progress} role="status">
            <span className={styles.spinner} aria-hidden="true" /> Making the PDF and filing it in the patient&rsquo;s record…
          </span>
        )}
        <a className="button secondary" href={returnTo}>
          Cancel
        </a>
      </div>
    </form>
  );
}
