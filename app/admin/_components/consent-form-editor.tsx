'use client';
// Publishes a consent form version: key, language, title and the text the
// patient reads, prefilled from the version it replaces. Publishing never edits
// a version (signed consents point at it): the API writes the next one. The
// API's message for each field is shown beside it.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { useHydrated } from '../../_lib/use-hydrated';

export interface ConsentFormValue {
  key: string;
  language: string;
  title: string;
  body: string;
}

const FIELDS: { name: keyof ConsentFormValue; label: string; hint: string }[] = [
  { name: 'key', label: 'Form key', hint: 'Lower-case letters, digits and hyphens; the same key in another language is a translation.' },
  { name: 'language', label: 'Language', hint: 'A language tag: en, fr, de, pt-BR…' },
  { name: 'title', label: 'Title', hint: 'At most 200 characters.' },
];

export function ConsentFormEditor({
  facilityId,
  from,
  baseVersion,
  focus,
  onDone,
  onCancel,
}: {
  facilityId: string;
  from: ConsentFormValue;
  /** The version `from` is (0: none yet): another version published meanwhile makes this publish a CONFLICT */
  baseVersion: number;
  focus: boolean; onDone: (message: string, published: ConsentFormValue & { version: number }) => void; onCancel?: () => void }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [value, setValue] = useState<ConsentFormValue>(from);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const title = useRef<HTMLInputElement>(null);
  // Opened from a form's "New version": the keyboard goes straight to the form
  useEffect(() => {
    if (focus) title.current?.focus();
  }, [focus]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setFields({});
    // With another key or language it is another form (or a translation): its next version, whatever it is
    const sameForm = value.key.trim() === from.key && value.language.trim() === from.language;
    const result = await callApi<{ form: ConsentFormValue & { version: number } }>('POST', `/api/admin/facilities/${facilityId}/consent-forms`, { ...value, ...(sameForm ? { baseVersion } : {}) });
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'The form could not be published.');
      setFields(result.data.fields ?? {});
      return;
    }
    const form = result.data.form;
    onDone(`Published ${form.key} (${form.language}) version ${form.version}.`, { key: form.key, language: form.language, title: form.title, body: form.body, version: form.version });
    router.refresh();
  }

  const describedBy = (name: string, hint: boolean) => (fields[name] ? `consent-form-${name}-error` : hint ? `consent-form-${name}-hint` : undefined);
  const message = (name: string, hint?: string) =>
    fields[name] ? (
      <p className={styles.fieldError} id={`consent-form-${name}-error`}>
        {fields[name]}
      </p>
    ) : (
      hint && (
        <p className={styles.hint} id={`consent-form-${name}-hint`}>
          {hint}
        </p>
      )
    );

  // Key and language side by side; the title, as long as a sentence, gets the whole width
  const input = (field: (typeof FIELDS)[number]) => (
    <div className="field" key={field.name}>
      <label htmlFor={`consent-form-${field.name}`}>{field.label}</label>
      <input
        id={`consent-form-${field.name}`}
        ref={field.name === 'title' ? title : undefined}
        name={field.name}
        className={field.name === 'title' ? styles.wide : undefined}
        value={value[field.name]}
        onChange={(event) => setValue((all) => ({ ...all, [field.name]: event.target.value }))}
        maxLength={field.name === 'title' ? 200 : field.name === 'key' ? 40 : 35}
        autoComplete="off"
        spellCheck={field.name === 'title'}
        aria-invalid={Boolean(fields[field.name])}
        aria-describedby={describedBy(field.name, true)}
      />
      {message(field.name, field.hint)}
    </div>
  );

  return (
    <form method="post" onSubmit={submit} noValidate>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div className={styles.form}>{FIELDS.filter((field) => field.name !== 'title').map(input)}</div>
      {FIELDS.filter((field) => field.name === 'title').map(input)}
      <div className="field">
        <label htmlFor="consent-form-body">Text the patient reads</label>
        <textarea
          id="consent-form-body"
          name="body"
          className={styles.textarea}
          rows={14}
          value={value.body}
          onChange={(event) => setValue((all) => ({ ...all, body: event.target.value }))}
          aria-invalid={Boolean(fields.body)}
          aria-describedby={describedBy('body', false)}
        />
        {message('body')}
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={pending || !hydrated}>
          {pending ? 'Publishing…' : 'Publish'}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
