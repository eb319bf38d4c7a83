'use client';
// A service's emergency-transfer settings: after how many minutes an alarm
// nobody acknowledged escalates, and for how many hours the notice's images
// stay readable after the patient's arrival. Whole numbers in a fixed unit
// each (lib/services/transfer-settings-limits.ts, zod-free); the API answers
// per field and each message shows beside its input.
import type { FormEvent } from 'react';
import { TRANSFER_SETTING_LIMITS, type ServiceTransferSettings, type TransferSettingField } from '../../../lib/services/transfer-settings-limits';
import styles from '../admin.module.css';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

const FIELDS: TransferSettingField[] = ['transferEscalationMinutes', 'transferAccessHours'];

const HINTS: Record<TransferSettingField, string> = {
  transferEscalationMinutes: 'Minutes, 1 to 60: then the on-call members and the facility administrators are told',
  transferAccessHours: 'Hours after arrival, 1 to 168 (7 days)',
};

export function TransferSettingsForm({ id, url, settings }: { id: string; url: string; settings: ServiceTransferSettings }) {
  const hydrated = useHydrated();
  const { pending, error, done, fieldErrors, save, saved, nothingChanged } = useAdminSave();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = {};
    for (const field of FIELDS) {
      const text = String(form.get(field) ?? '').trim();
      const amount = Number(text);
      // Not a number: sent as typed, the server names what is wrong
      if (text === '' || !Number.isFinite(amount)) body[field] = text;
      else if (amount !== settings[field]) body[field] = amount;
    }
    if (Object.keys(body).length === 0) return nothingChanged();
    if (await save('PATCH', url, body, 'The emergency transfer settings could not be saved.')) saved();
  }

  return (
    <form method="post" onSubmit={submit} noValidate>
      <SaveStatus error={error} done={done} />
      <div className={styles.form}>
        {FIELDS.map((field) => {
          const inputId = `${id}-${field}`;
          const message = fieldErrors[field];
          const { label, unit, min, max } = TRANSFER_SETTING_LIMITS[field];
          return (
            <div className="field" key={field}>
              <label htmlFor={inputId}>
                {label} ({unit})
              </label>
              <input
                id={inputId}
                name={field}
                type="number"
                inputMode="numeric"
                min={min}
                max={max}
                step={1}
                defaultValue={settings[field]}
                autoComplete="off"
                aria-invalid={Boolean(message)}
                aria-describedby={`${inputId}-${message ? 'error' : 'hint'}`}
              />
              {message ? (
                <p className={styles.fieldError} id={`${inputId}-error`}>
                  {message}
                </p>
              ) : (
                <p className={styles.hint} id={`${inputId}-hint`}>
                  {HINTS[field]}
                </p>
              )}
            </div>
          );
        })}
        <div className={styles.formActions}>
          <button type="submit" className="button secondary" disabled={pending || !hydrated}>
            {pending ? 'Saving…' : 'Save emergency transfer settings'}
          </button>
        </div>
      </div>
    </form>
  );
}
