'use client';
// Current password, new password, the new one again. The rules (length,
// strength) are the server's; its words are shown under the field they are about.
import { useState, type FormEvent } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { useHydrated } from '../../_lib/use-hydrated';

type Field = 'currentPassword' | 'newPassword' | 'confirmation';

export function ChangePasswordForm() {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [done, setDone] = useState<number | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setErrors({});
    setDone(null);
    const result = await callApi<{ sessionsEnded: number }>('POST', '/api/account/password', {
      currentPassword: form.get('currentPassword'),
      newPassword: form.get('newPassword'),
      confirmation: form.get('confirmation'),
    });
    setPending(false);
    if (result.ok) {
      formElement.reset();
      setDone(result.data.sessionsEnded);
      return;
    }
    const fields = result.data.fields ?? {};
    setErrors(Object.keys(fields).length ? fields : { form: result.data.message ?? 'The password was not changed.' });
  }

  const field = (name: Field, label: string, autoComplete: string, hint?: string) => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} type="password" autoComplete={autoComplete} required maxLength={1024} aria-invalid={Boolean(errors[name])} />
      {hint && <small>{hint}</small>}
      {errors[name] && (
        <span className="alert error" role="alert">
          {errors[name]}
        </span>
      )}
    </div>
  );

  return (
    <form method="post" onSubmit={submit} className="card">
      {done !== null && (
        <p className="alert info" role="status">
          Your password has been changed.{' '}
          {done === 0 ? 'No other session was open.' : `${done} other session${done === 1 ? ' was' : 's were'} signed out.`}
        </p>
      )}
      {errors.form && (
        <p className="alert error" role="alert">
          {errors.form}
        </p>
      )}
      {field('currentPassword', 'Current password', 'current-password')}
      {field('newPassword', 'New password', 'new-password', 'At least 10 characters and hard to guess: a few unrelated words work well.')}
      {field('confirmation', 'New password again', 'new-password')}
      <button type="submit" className="button" disabled={pending || !hydrated}>
        {pending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
