'use client';
// The vitals as typed on a phone, for the sending form and the sender's update: one input
// per sign (a numeric keypad, the label with its unit, its message beside it), and the
// reading of what was typed (a comma is a decimal point; empty: not measured).
import { VITAL_SIGN_KEYS, VITAL_SIGNS, type VitalSign } from '../../../lib/transfers/transfer-words';
import styles from './transfers.module.css';

export type TypedVitals = Partial<Record<VitalSign, string>>;

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className={styles.fieldError} id={id} role="alert">
      {message}
    </p>
  );
}

/** The numbers typed, and a message per sign that is not a number (keyed `vitals.<sign>` like the API's) */
export function readVitals(typed: TypedVitals): { taken: Partial<Record<VitalSign, number>>; problems: Record<string, string> } {
  const taken: Partial<Record<VitalSign, number>> = {};
  const problems: Record<string, string> = {};
  for (const key of VITAL_SIGN_KEYS) {
    const text = (typed[key] ?? '').trim().replace(',', '.');
    if (!text) continue;
    if (Number.isFinite(Number(text))) taken[key] = Number(text);
    else problems[`vitals.${key}`] = `${VITAL_SIGNS[key].label} must be a number`;
  }
  return { taken, problems };
}

/** The inputs (ids `<idPrefix>-<sign>`); onChange gets each edit */
export function VitalInputs({ idPrefix, values, errors, onChange }: { idPrefix: string; values: TypedVitals; errors: Record<string, string>; onChange: (key: VitalSign, value: string) => void }) {
  return (
    <>
      {VITAL_SIGN_KEYS.map((key) => {
        const sign = VITAL_SIGNS[key];
        const field = `vitals.${key}`;
        const errorId = `${idPrefix}-${key}-error`;
        return (
          <div key={key} className={styles.field}>
            <label htmlFor={`${idPrefix}-${key}`}>
              {sign.label}
              {sign.unit ? ` (${sign.unit})` : ''}
            </label>
            <input
              id={`${idPrefix}-${key}`}
              type="text"
              inputMode={sign.integer ? 'numeric' : 'decimal'}
              autoComplete="off"
              value={values[key] ?? ''}
              onChange={(event) => onChange(key, event.target.value)}
              {...(errors[field] ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {})}
            />
            <FieldError id={errorId} message={errors[field]} />
          </div>
        );
      })}
    </>
  );
}
