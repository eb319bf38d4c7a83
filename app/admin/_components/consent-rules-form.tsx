'use client';
// The facility admin's "what needs consent": one checkbox per purpose; a ticked
// purpose means a share of this facility's images with anyone outside it, for
// that purpose, needs the patient's consent (lib/policy/share-basis.ts). Saved
// as a whole (PUT), the API's message shown above the boxes.
import { useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

export interface PurposeChoice {
  value: string;
  label: string;
}

export function ConsentRulesForm({ facilityId, purposes, requiredFor }: { facilityId: string; purposes: PurposeChoice[]; requiredFor: string[] }) {
  const hydrated = useHydrated();
  const [chosen, setChosen] = useState<string[]>(requiredFor);
  const { pending, error, done, fieldErrors, save, saved } = useAdminSave();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const answer = await save<{ requiredFor: string[] }>('PUT', `/api/admin/facilities/${facilityId}/consent-rules`, { requiredFor: chosen }, 'The rules could not be saved.');
    if (!answer) return;
    setChosen(answer.requiredFor);
    saved(answer.requiredFor.length === 0 ? 'Saved: no share needs consent.' : 'Saved.');
  }

  return (
    <form method="post" onSubmit={submit} noValidate>
      <SaveStatus error={fieldErrors.requiredFor ?? error} done={done} />
      <fieldset className={styles.choices}>
        <legend>Needs the patient&apos;s consent when shared outside this facility</legend>
        {purposes.map((purpose) => (
          <label key={purpose.value}>
            <input
              type="checkbox"
              name="requiredFor"
              value={purpose.value}
              checked={chosen.includes(purpose.value)}
              onChange={(event) => setChosen((all) => (event.target.checked ? [...all, purpose.value] : all.filter((value) => value !== purpose.value)))}
            />
            {purpose.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="button" disabled={pending || !hydrated}>
        {pending ? 'Saving…' : 'Save rules'}
      </button>
    </form>
  );
}
