'use client';
// A small administration form: JSON to one API route, per-field errors from
// the answer (lib/admin AdminError `fields`), then a refresh or a new page.
import type { FormEvent } from 'react';
import styles from '../admin.module.css';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

export interface FormField {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel';
  defaultValue?: string;
  maxLength?: number;
  required?: boolean;
  hint?: string;
  /** A menu instead of a text box */
  options?: { value: string; label: string }[];
}

export function FieldsForm({
  id,
  method,
  url,
  fields,
  submitLabel,
  goTo,
}: {
  /** Prefix of the inputs' ids, unique on the page */
  id: string;
  method: 'POST' | 'PATCH' | 'PUT';
  url: string;
  fields: FormField[];
  submitLabel: string;
  /** Where to go after success: a path, where ":id" is replaced by the answer's id; default: stay and refresh */
  goTo?: string;
}) {
  const hydrated = useHydrated();
  const { pending, error, done, fieldErrors, save, saved, router } = useAdminSave();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = Object.fromEntries(fields.map((field) => [field.name, String(form.get(field.name) ?? '')]));
    const answer = await save<{ id?: string }>(method, url, body, 'This could not be saved.');
    if (!answer) return;
    if (goTo) {
      router.push(goTo.replace(':id', answer.id ?? ''));
      return;
    }
    if (method === 'POST') formElement.reset();
    saved();
  }

  return (
    <form method="post" onSubmit={submit} noValidate>
      <SaveStatus error={error} done={done} />
      <div className={styles.form}>
        {fields.map((field) => {
          const inputId = `${id}-${field.name}`;
          const errorId = `${inputId}-error`;
          const described = fieldErrors[field.name] ? errorId : field.hint ? `${inputId}-hint` : undefined;
          return (
            <div className="field" key={field.name}>
              <label htmlFor={inputId}>{field.label}</label>
              {field.options ? (
                <select id={inputId} name={field.name} className={styles.select} defaultValue={field.defaultValue} aria-invalid={Boolean(fieldErrors[field.name])} aria-describedby={described}>
                  {field.options.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={inputId}
                  name={field.name}
                  type={field.type ?? 'text'}
                  defaultValue={field.defaultValue}
                  maxLength={field.maxLength}
                  required={field.required}
                  autoComplete="off"
                  aria-invalid={Boolean(fieldErrors[field.name])}
                  aria-describedby={described}
                />
              )}
              {fieldErrors[field.name] ? (
                <p className={styles.fieldError} id={errorId}>
                  {fieldErrors[field.name]}
                </p>
              ) : (
                field.hint && (
                  <p className={styles.hint} id={`${inputId}-hint`}>
                    {field.hint}
                  </p>
                )
              )}
            </div>
          );
        })}
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={pending || !hydrated}>
            {pending ? 'Saving…' : submitLabel}
          </button>
        </div>
      </div>
    </form>
  );
}
