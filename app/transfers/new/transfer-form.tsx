'use client';
// The sending form of an emergency transfer notice, phone first: receiving service
// (grouped by facility), the condition as big buttons, diagnosis and findings, vitals
// (numeric keypads), onset or last known well, transport, ETA (quick buttons or minutes),
// the call-back number, the studies to send, or "Unidentified patient" (a temporary ID is
// made; the notice page shows it big for the CT technologist to type).
// One clientKey per form: a double tap, or a retry after a lost answer, is one notice.
// The API's per-field messages show beside their inputs; vitals outside the physiological
// range come back as CONFIRMATION_REQUIRED and are sent again once the sender confirms them.
import { useState, type FormEvent } from 'react';
import { TRANSFER_CONDITION_CODES, TRANSFER_CONDITIONS, TRANSPORT_MODE_CODES, TRANSPORT_MODES, type TransferCondition, type TransportMode } from '../../../lib/transfers/transfer-words';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import { typedTimeToIso } from '../_parts/time-typed';
import styles from '../_parts/transfers.module.css';
import { ConfirmVitals } from '../_parts/confirm-vitals';
import { FieldError, readVitals, VitalInputs, type TypedVitals } from '../_parts/vital-inputs';

interface ServiceChoice {
  id: string;
  name: string;
  facilityId: string;
  facilityName: string;
}

interface StudyChoice {
  studyInstanceUid: string;
  patientRef: string;
  label: string;
  detail: string;
  receivedAt: string;
}

const ETA_QUICK = [15, 30, 45, 60];

/** A random key made once per form (crypto.randomUUID needs a secure context; getRandomValues does not) */
function newClientKey(): string {
  if (typeof crypto === 'undefined') return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function TransferForm({ services, studies, patient, preselected }: { services: ServiceChoice[]; studies: StudyChoice[]; patient: { ref: string; label: string } | null; preselected: string[] }) {
  const hydrated = useHydrated();
  const [clientKey] = useState(newClientKey);
  const [serviceId, setServiceId] = useState(services.length === 1 ? services[0].id : '');
  const [condition, setCondition] = useState<TransferCondition | ''>('');
  const [diagnosis, setDiagnosis] = useState('');
  const [findings, setFindings] = useState('');
  const [vitals, setVitals] = useState<TypedVitals>({});
  const [vitalsTime, setVitalsTime] = useState('');
  const [onset, setOnset] = useState('');
  const [lastKnownWell, setLastKnownWell] = useState(false);
  const [transport, setTransport] = useState<TransportMode>('GROUND');
  const [eta, setEta] = useState('');
  const [phone, setPhone] = useState('');
  const [chosen, setChosen] = useState<string[]>(preselected);
  const [unidentified, setUnidentified] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState('');

  const clear = (...fields: string[]) =>
    setErrors((now) => {
      const next = { ...now };
      for (const field of [...fields, 'form']) delete next[field];
      return next;
    });
  const byFacility = services.reduce<Map<string, ServiceChoice[]>>((groups, service) => groups.set(service.facilityName, [...(groups.get(service.facilityName) ?? []), service]), new Map());
  const invalid = (field: string) => (errors[field] ? { 'aria-invalid': true as const, 'aria-describedby': `${field.replace('.', '-')}-error` } : {});

  const body = (confirmVitals: boolean) => {
    const taken: Record<string, number | string> = { ...readVitals(vitals).taken };
    const takenAt = vitalsTime ? typedTimeToIso(vitalsTime) : undefined;
    if (takenAt && Object.keys(taken).length) taken.takenAt = takenAt;
    const studyInstanceUids = studies.map((study) => study.studyInstanceUid).filter((uid) => chosen.includes(uid));
    return {
      clientKey,
      serviceId,
      condition,
      suspectedDiagnosis: diagnosis,
      findings,
      ...(Object.keys(taken).length ? { vitals: taken } : {}),
      onsetAt: onset ? (typedTimeToIso(onset) ?? onset) : null,
      onsetIsLastKnownWell: lastKnownWell,
      transportMode: transport,
      etaMinutes: eta.trim() === '' ? undefined : Number(eta),
      callbackPhone: phone,
      unidentified,
      studyInstanceUids,
      ...(!unidentified && patient ? { patientRef: patient.ref } : {}),
      confirmVitals,
    };
  };

  const send = async (confirmVitals: boolean) => {
    const local: Record<string, string> = {};
    if (!serviceId) local.serviceId = 'Choose the receiving service';
    if (!condition) local.condition = 'Choose the condition';
    if (eta.trim() === '' || !Number.isFinite(Number(eta))) local.etaMinutes = 'Give the ETA in minutes';
    if (!unidentified && !patient && !chosen.length) local.patientRef = 'Choose the study to send, or mark the patient unidentified';
    Object.assign(local, readVitals(vitals).problems);
    setErrors(local);
    if (Object.keys(local).length) {
      setProgress('');
      return;
    }
    setBusy(true);
    setConfirm(null);
    setProgress('Sending the notice…');
    const result = await callApi<{ id: string; path: string; created: boolean }>('POST', '/api/transfers', body(confirmVitals));
    if (result.ok) {
      setProgress('Sent. Opening the notice…');
      window.location.assign(result.data.path);
      return;
    }
    setBusy(false);
    setProgress('');
    if (result.status === 409 && result.data.error === 'CONFIRMATION_REQUIRED') {
      setErrors(result.data.fields ?? {});
      setConfirm(Object.values(result.data.fields ?? {}));
      return;
    }
    const fields = result.data.fields ?? {};
    setErrors({ ...fields, form: result.data.message ?? `The server answered ${result.status}. Try again.` });
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy) void send(false);
  };

  const toggleStudy = (uid: string, on: boolean) => {
    clear('patientRef', 'studyInstanceUids');
    setChosen((now) => (on ? [...now, uid] : now.filter((entry) => entry !== uid)));
  };

  return (
    <form className={styles.form} method="post" onSubmit={submit} noValidate aria-busy={busy} data-testid="transfer-form">
      <fieldset>
        <legend>Receiving service</legend>
        <div className={styles.field}>
          <label htmlFor="transfer-service">Send to</label>
          <select id="transfer-service" value={serviceId} onChange={(event) => (setServiceId(event.target.value), clear('serviceId'))} {...invalid('serviceId')}>
            <option value="">Choose…</option>
            {[...byFacility.entries()].map(([facilityName, entries]) => (
              <optgroup key={facilityName} label={facilityName}>
                {entries.map((service) => (
                  <option key={service.id} value={service.id}>
                    {service.name} — {facilityName}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <FieldError id="serviceId-error" message={errors.serviceId} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Condition</legend>
        <div className={styles.conditions} role="group" aria-label="Condition">
          {TRANSFER_CONDITION_CODES.map((code) => (
            <button key={code} type="button" className={styles.bigChoice} aria-pressed={condition === code} onClick={() => (setCondition(code), clear('condition'))}>
              {code}
              <span className="visually-hidden"> ({TRANSFER_CONDITIONS[code]})</span>
            </button>
          ))}
        </div>
        <FieldError id="condition-error" message={errors.condition} />
        <div className={`${styles.field} ${styles.afterGroup}`}>
          <label htmlFor="transfer-diagnosis">Suspected diagnosis</label>
          <input id="transfer-diagnosis" type="text" value={diagnosis} maxLength={500} onChange={(event) => (setDiagnosis(event.target.value), clear('suspectedDiagnosis'))} {...invalid('suspectedDiagnosis')} />
          <FieldError id="suspectedDiagnosis-error" message={errors.suspectedDiagnosis} />
        </div>
        <div className={styles.field}>
          <label htmlFor="transfer-findings">Key findings</label>
          <textarea id="transfer-findings" value={findings} maxLength={2000} onChange={(event) => (setFindings(event.target.value), clear('findings'))} {...invalid('findings')} />
          <FieldError id="findings-error" message={errors.findings} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Vitals</legend>
        <div className={styles.vitals}>
          <VitalInputs idPrefix="vital" values={vitals} errors={errors} onChange={(key, value) => (setVitals((now) => ({ ...now, [key]: value })), clear(`vitals.${key}`, 'vitals'))} />
          <div className={styles.field}>
            <label htmlFor="vitals-time">Taken at</label>
            <input id="vitals-time" type="time" value={vitalsTime} onChange={(event) => (setVitalsTime(event.target.value), clear('vitals.takenAt'))} {...invalid('vitals.takenAt')} />
            <FieldError id="vitals-takenAt-error" message={errors['vitals.takenAt']} />
          </div>
        </div>
        <p className={styles.hint}>Leave empty what was not measured. &ldquo;Taken at&rdquo; empty: now.</p>
        <FieldError id="vitals-error" message={errors.vitals} />
      </fieldset>

      <fieldset>
        <legend>Onset</legend>
        <div className={styles.field}>
          <label htmlFor="transfer-onset">{lastKnownWell ? 'Last known well at' : 'Symptom onset at'}</label>
          <input id="transfer-onset" type="time" value={onset} onChange={(event) => (setOnset(event.target.value), clear('onsetAt'))} {...invalid('onsetAt')} />
          <FieldError id="onsetAt-error" message={errors.onsetAt} />
        </div>
        <label className={styles.inline}>
          <input type="checkbox" checked={lastKnownWell} onChange={(event) => setLastKnownWell(event.target.checked)} /> Onset unknown: this is the time last known well
        </label>
      </fieldset>

      <fieldset>
        <legend>Transport and ETA</legend>
        <div className={styles.field}>
          <label htmlFor="transfer-transport">Transport</label>
          <select id="transfer-transport" value={transport} onChange={(event) => (setTransport(event.target.value as TransportMode), clear('transportMode'))} {...invalid('transportMode')}>
            {TRANSPORT_MODE_CODES.map((code) => (
              <option key={code} value={code}>
                {TRANSPORT_MODES[code]}
              </option>
            ))}
          </select>
          <FieldError id="transportMode-error" message={errors.transportMode} />
        </div>
        <div className={styles.quick} role="group" aria-label="ETA quick choice">
          {ETA_QUICK.map((minutes) => (
            <button key={minutes} type="button" className={styles.quickChoice} aria-pressed={eta === String(minutes)} onClick={() => (setEta(String(minutes)), clear('etaMinutes', 'etaAt'))}>
              {minutes}′
            </button>
          ))}
        </div>
        <div className={styles.field}>
          <label htmlFor="transfer-eta">ETA in minutes</label>
          <input id="transfer-eta" type="text" inputMode="numeric" autoComplete="off" value={eta} onChange={(event) => (setEta(event.target.value), clear('etaMinutes', 'etaAt'))} {...invalid('etaMinutes')} />
          <FieldError id="etaMinutes-error" message={errors.etaMinutes ?? errors.etaAt} />
        </div>
        <div className={styles.field}>
          <label htmlFor="transfer-phone">Call-back number</label>
          <input id="transfer-phone" type="tel" autoComplete="tel" value={phone} maxLength={40} onChange={(event) => (setPhone(event.target.value), clear('callbackPhone'))} {...invalid('callbackPhone')} />
          <FieldError id="callbackPhone-error" message={errors.callbackPhone} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Patient and images</legend>
        {patient && !unidentified && (
          <p data-testid="transfer-patient">
            <strong>{patient.label}</strong>
          </p>
        )}
        <label className={styles.inline}>
          <input type="checkbox" checked={unidentified} onChange={(event) => (setUnidentified(event.target.checked), clear('patientRef', 'unidentified'))} /> Unidentified patient (a temporary ID is made)
        </label>
        {studies.length > 0 ? (
          <>
            <p className={styles.hint}>{patient ? "This patient's studies" : 'Studies of your facility received in the last 24 hours'}: tick those to send.</p>
            <ul className={styles.choices} aria-label="Studies to send">
              {studies.map((study) => (
                <li key={study.studyInstanceUid}>
                  <label>
                    <input type="checkbox" checked={chosen.includes(study.studyInstanceUid)} onChange={(event) => toggleStudy(study.studyInstanceUid, event.target.checked)} />
                    <span>
                      {study.label}
                      {preselected.includes(study.studyInstanceUid) ? ' (this study)' : ''}
                      <small>{study.detail}</small>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className={styles.hint}>No recent study of your facility. You can add studies to the notice later, from its page.</p>
        )}
        <FieldError id="patientRef-error" message={errors.patientRef ?? errors.studyInstanceUids ?? errors.unidentified} />
      </fieldset>

      <div className={styles.sendBar}>
        <ConfirmVitals lines={confirm} busy={busy} onConfirm={() => void send(true)} />
        {errors.form && (
          <div className="alert error" role="alert">
            {errors.form}
          </div>
        )}
        {progress && (
          <p role="status" className={styles.hint} data-testid="send-progress">
            <span className={`spinner ${styles.inlineSpinner}`} aria-hidden="true" />
            {progress}
          </p>
        )}
        <button type="submit" className={`button ${styles.sendButton}`} disabled={!hydrated || busy}>
          {busy ? 'Sending…' : 'Send notice'}
        </button>
      </div>
    </form>
  );
}
