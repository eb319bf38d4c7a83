'use client';
// The sending team's news on the way, phone first: new vitals, a new ETA (quick buttons or
// minutes), studies made since sending. PATCH /api/transfers/{id}; vitals outside the
// physiological range are asked again (CONFIRMATION_REQUIRED) and sent once confirmed.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import styles from '../_parts/transfers.module.css';
import { ConfirmVitals } from '../_parts/confirm-vitals';
import { readVitals, VitalInputs, type TypedVitals } from '../_parts/vital-inputs';

const ETA_QUICK = [5, 10, 15, 30];

export function TransferUpdate({ noticeId, addable }: { noticeId: string; addable: { studyInstanceUid: string; label: string }[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [vitals, setVitals] = useState<TypedVitals>({});
  const [eta, setEta] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');

  const send = async (confirmVitals: boolean) => {
    const { taken, problems } = readVitals(vitals);
    const local: Record<string, string> = { ...problems };
    if (eta.trim() && !Number.isFinite(Number(eta))) local.etaMinutes = 'Give the ETA in minutes';
    if (!Object.keys(local).length && !Object.keys(taken).length && !eta.trim() && !chosen.length) local.form = 'Nothing to update: give vitals, an ETA or a study.';
    setErrors(local);
    setDone('');
    if (Object.keys(local).length) return;
    setBusy(true);
    setConfirm(null);
    const body = { ...(Object.keys(taken).length ? { vitals: taken } : {}), ...(eta.trim() ? { etaMinutes: Number(eta) } : {}), studyInstanceUids: chosen, confirmVitals };
    const result = await callApi('PATCH', `/api/transfers/${encodeURIComponent(noticeId)}`, body);
    setBusy(false);
    if (result.ok) {
      setVitals({});
      setEta('');
      setChosen([]);
      setDone('Sent to the receiving team.');
      router.refresh();
      return;
    }
    if (result.status === 409 && result.data.error === 'CONFIRMATION_REQUIRED') {
      setErrors(result.data.fields ?? {});
      setConfirm(Object.values(result.data.fields ?? {}));
      return;
    }
    setErrors({ ...(result.data.fields ?? {}), form: result.data.message ?? `The server answered ${result.status}.` });
    if (result.status === 409) router.refresh();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy) void send(false);
  };

  return (
    <section className={styles.panel} aria-labelledby="transfer-update">
      <h2 id="transfer-update">Update on the way</h2>
      <form className={styles.form} method="post" onSubmit={submit} noValidate>
        <div className={styles.vitals}>
          <VitalInputs idPrefix="update" values={vitals} errors={errors} onChange={(key, value) => setVitals((now) => ({ ...now, [key]: value }))} />
        </div>
        <div className={`${styles.quick} ${styles.afterGroup}`} role="group" aria-label="New ETA quick choice">
          {ETA_QUICK.map((minutes) => (
            <button key={minutes} type="button" className={styles.quickChoice} aria-pressed={eta === String(minutes)} onClick={() => setEta(String(minutes))}>
              {minutes}′
            </button>
          ))}
        </div>
        <div className={styles.field}>
          <label htmlFor="update-eta">New ETA in minutes from now</label>
          <input id="update-eta" type="text" inputMode="numeric" autoComplete="off" value={eta} onChange={(event) => setEta(event.target.value)} aria-invalid={errors.etaMinutes ? true : undefined} />
          {errors.etaMinutes && <p className={styles.fieldError}>{errors.etaMinutes}</p>}
        </div>
        {addable.length > 0 && (
          <ul className={styles.choices} aria-label="Studies to add">
            {addable.map((study) => (
              <li key={study.studyInstanceUid}>
                <label>
                  <input type="checkbox" checked={chosen.includes(study.studyInstanceUid)} onChange={(event) => setChosen((now) => (event.target.checked ? [...now, study.studyInstanceUid] : now.filter((uid) => uid !== study.studyInstanceUid)))} />
                  <span>Add {study.label}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <ConfirmVitals lines={confirm} busy={busy} onConfirm={() => void send(true)} />
        {errors.form && (
          <div className="alert error" role="alert">
            {errors.form}
          </div>
        )}
        {done && (
          <p role="status" className={styles.hint}>
            {done}
          </p>
        )}
        <div className={styles.actions}>
          <button type="submit" className="button" disabled={!hydrated || busy}>
            {busy ? 'Sending…' : 'Send update'}
          </button>
        </div>
      </form>
    </section>
  );
}
