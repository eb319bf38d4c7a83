'use client';
// A small administration form: JSON to one API route, per-field errors from
// the answer (lib/admin AdminError `fields`), then a refresh or a new page.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
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
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = Object.fromEntries(fields.map((field) => [field.name, String(form.get(field.name) ?? '')]));
    setPending(true);
    setError(undefined);
    setDone(undefined);
    setFieldErrors({});
    const result = await callApi<{ id?: string }>(method, url, body);
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'This could not be saved.');
      setFieldErrors(result.data.fields ?? {});
      return;
    }
    if (goTo) {
      router.push(goTo.replace(':id', result.data.id ?? ''));
      return;
    }
    if (method === 'POST') formElement.reset();
    setDone('Saved.');
    router.refresh();
  }

  return (
    <form method="post" onSubmit={submit} noValidate>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="alert info" role="status">
          {done}
        </p>
      )}
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
