'use client';
// The sending team names an unidentified patient's real record once known (POST
// /api/transfers/{id}/identify): the notice moves to it, the temporary record is linked to
// it as the same person. The records offered: the patients of the facility's recent studies.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import styles from '../_parts/transfers.module.css';

export function TransferIdentify({ noticeId, patients }: { noticeId: string; patients: { ref: string; label: string }[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [patientRef, setPatientRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!patientRef) {
      setError('Choose the patient’s record');
      return;
    }
    setBusy(true);
    setError('');
    const result = await callApi('POST', `/api/transfers/${encodeURIComponent(noticeId)}/identify`, { patientRef });
    setBusy(false);
    if (!result.ok) setError(result.data.fields?.patientRef ?? result.data.message ?? `The server answered ${result.status}.`);
    if (result.ok || result.status === 409) router.refresh();
  };

  return (
    <form className={styles.actionForm} method="post" onSubmit={(event) => void submit(event)}>
      <label htmlFor="identify-patient">Patient identified? Their record</label>
      <select id="identify-patient" value={patientRef} onChange={(event) => (setPatientRef(event.target.value), setError(''))} aria-invalid={error ? true : undefined}>
        <option value="">Choose…</option>
        {patients.map((patient) => (
          <option key={patient.ref} value={patient.ref}>
            {patient.label}
          </option>
        ))}
      </select>
      {error && (
        <p className={styles.fieldError} role="alert">
          {error}
        </p>
      )}
      <div className={styles.actions}>
        <button type="submit" className="button secondary" disabled={!hydrated || busy}>
          Identify patient
        </button>
      </div>
    </form>
  );
}
