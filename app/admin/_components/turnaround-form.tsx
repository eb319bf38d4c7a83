'use client';
// A service's second-opinion turnaround: stat, urgent and routine, each a
// number and a unit the administrator thinks in (stat in minutes, urgent in
// hours, routine in days by default). The API takes whole minutes
// (lib/services/service-turnaround.ts) and answers per field; each message
// shows beside its input.
import type { FormEvent } from 'react';
import type { ServiceTurnaround } from '../../../lib/referrals/due-time';
import styles from '../admin.module.css';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

const UNITS = [
  { value: 1, label: 'minutes' },
  { value: 60, label: 'hours' },
  { value: 1440, label: 'days' },
] as const;

const FIELDS: { name: keyof ServiceTurnaround; label: string; unit: number; hint: string }[] = [
  { name: 'turnaroundStatMinutes', label: 'Stat', unit: 1, hint: '5 minutes to 24 hours' },
  { name: 'turnaroundUrgentMinutes', label: 'Urgent', unit: 60, hint: '15 minutes to 7 days' },
  { name: 'turnaroundRoutineMinutes', label: 'Routine', unit: 1440, hint: '1 hour to 60 days' },
];

/** The field's usual unit when the value is whole in it, else the largest unit it is whole in. */
function unitFor(minutes: number, preferred: number): number {
  if (minutes % preferred === 0) return preferred;
  return [1440, 60, 1].find((unit) => minutes % unit === 0) ?? 1;
}

export function TurnaroundForm({ id, url, turnaround }: { id: string; url: string; turnaround: ServiceTurnaround }) {
  const hydrated = useHydrated();
  const { pending, error, done, fieldErrors, save, saved, nothingChanged } = useAdminSave();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = {};
    for (const field of FIELDS) {
      const text = String(form.get(field.name) ?? '').trim();
      const amount = Number(text);
      // Not a number: sent as typed, the server names what is wrong
      if (text === '' || !Number.isFinite(amount)) {
        body[field.name] = text;
        continue;
      }
      const minutes = Math.round(amount * Number(form.get(`${field.name}Unit`)) * 1e6) / 1e6;
      if (minutes !== turnaround[field.name]) body[field.name] = minutes;
    }
    if (Object.keys(body).length === 0) return nothingChanged();
    if (await save('PATCH', url, body, 'The turnaround could not be saved.')) saved();
  }

  return (
    <form method="post" onSubmit={submit} noValidate>
      <SaveStatus error={error} done={done} />
      <div className={styles.form}>
        {FIELDS.map((field) => {
          const inputId = `${id}-${field.name}`;
          const message = fieldErrors[field.name];
          const unit = unitFor(turnaround[field.name], field.unit);
          return (
            <div className="field" key={field.name}>
              <label htmlFor={inputId}>{field.label}</label>
              <div style={{ display: 'flex', gap: '0.4rem' }}>
                <input
                  id={inputId}
                  name={field.name}
                  type="number"
                  inputMode="decimal"
                  min={0}
                  step="any"
                  defaultValue={turnaround[field.name] / unit}
                  autoComplete="off"
                  style={{ flex: '1 1 4rem', minWidth: 0 }}
                  aria-invalid={Boolean(message)}
                  aria-describedby={`${inputId}-${message ? 'error' : 'hint'}`}
                />
                <select name={`${field.name}Unit`} aria-label={`${field.label} unit`} className={styles.select} defaultValue={unit} style={{ flex: '0 0 auto', width: 'auto' }}>
                  {UNITS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              </div>
              {message ? (
                <p className={styles.fieldError} id={`${inputId}-error`}>
                  {message}
                </p>
              ) : (
                <p className={styles.hint} id={`${inputId}-hint`}>
                  {field.hint}
                </p>
              )}
            </div>
          );
        })}
        <div className={styles.formActions}>
          <button type="submit" className="button secondary" disabled={pending || !hydrated}>
            {pending ? 'Saving…' : 'Save turnaround'}
          </button>
        </div>
      </div>
    </form>
  );
}
