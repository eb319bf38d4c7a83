'use client';
// The form behind a one-time link: an invitee chooses name and password (or,
// with an account already, gives its password to join), or a member a new
// password. On success the server has signed them in.
import { useRef, useState, type FormEvent } from 'react';
import { useHydrated } from '../_lib/use-hydrated';

export function AccountLinkForm({
  token,
  purpose,
  email,
  existingAccount = false,
  facilityName = '',
}: {
  token: string;
  purpose: 'INVITE' | 'RESET';
  email: string;
  existingAccount?: boolean;
  facilityName?: string;
}) {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const errorRef = useRef<HTMLParagraphElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    setError(undefined);
    setFields({});
    if (!existingAccount && password !== String(form.get('confirm') ?? '')) {
      setFields({ confirm: 'The two passwords are not the same' });
      return;
    }
    setPending(true);
    try {
      const response = await fetch(purpose === 'INVITE' ? '/api/account-links/invitation' : '/api/account-links/password-reset', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(purpose === 'INVITE' && !existingAccount ? { token, name: form.get('name'), password } : { token, password }),
        credentials: 'same-origin',
      });
      if (response.ok) {
        window.location.assign('/');
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { message?: string; fields?: Record<string, string> };
      setError(body.message ?? 'That did not work. Try again.');
      setFields(body.fields ?? {});
    } catch {
      setError('The server could not be reached. Check the connection and try again.');
    }
    setPending(false);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  const fieldError = (name: string) =>
    fields[name] ? (
      <p id={`${name}-error`} style={{ color: 'var(--bad)', margin: 0, fontSize: '0.85rem' }}>
        {fields[name]}
      </p>
    ) : null;

  return (
    <form method="post" onSubmit={submit} noValidate>
      <p className="alert error" role="alert" tabIndex={-1} ref={errorRef} hidden={!error}>
        {error}
      </p>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" type="email" value={email} readOnly autoComplete="username" />
      </div>
      {purpose === 'INVITE' && !existingAccount && (
        <div className="field">
          <label htmlFor="name">Your name</label>
          <input id="name" name="name" autoComplete="name" required maxLength={200} autoFocus aria-invalid={Boolean(fields.name)} aria-describedby={fields.name ? 'name-error' : undefined} />
          {fieldError('name')}
        </div>
      )}
      <div className="field">
        <label htmlFor="password">{existingAccount ? 'Your password' : purpose === 'INVITE' ? 'Password' : 'New password'}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={existingAccount ? 'current-password' : 'new-password'}
          required
          minLength={existingAccount ? 1 : 10}
          maxLength={1024}
          autoFocus={purpose === 'RESET' || existingAccount}
          aria-invalid={Boolean(fields.password)}
          aria-describedby={fields.password ? 'password-error password-hint' : 'password-hint'}
        />
        {!existingAccount && (
          <small id="password-hint" style={{ color: 'var(--muted)' }}>
            At least 10 characters. A few unrelated words are easy to type and hard to guess.
          </small>
        )}
        {fieldError('password')}
      </div>
      {!existingAccount && (
      <div className="field">
        <label htmlFor="confirm">Repeat the password</label>
        <input id="confirm" name="confirm" type="password" autoComplete="new-password" required maxLength={1024} aria-invalid={Boolean(fields.confirm)} aria-describedby={fields.confirm ? 'confirm-error' : undefined} />
        {fieldError('confirm')}
      </div>
      )}
      <button type="submit" className="button" disabled={pending || !hydrated}>
        {pending ? 'Saving…' : existingAccount ? `Join ${facilityName}` : purpose === 'INVITE' ? 'Create my account' : 'Set the new password'}
      </button>
    </form>
  );
}
