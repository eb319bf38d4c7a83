'use client';
// Works without JavaScript (a plain form post, answered with a redirect);
// with it, errors appear in place and the password field is kept focused.
import { useRef, useState, type FormEvent } from 'react';
import { signInErrorMessage } from './messages';

interface SignInApiError {
  error?: string;
  message?: string;
}

export function SignInForm({ returnTo, initialError }: { returnTo: string; initialError?: string }) {
  const [error, setError] = useState<string | undefined>(initialError);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    try {
      const response = await fetch('/api/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password'), next: returnTo }),
        credentials: 'same-origin',
      });
      if (response.ok) {
        // A full navigation, so every server component renders for the new
        // session, or (a second factor is owed) the sign-in page its second step.
        const body = (await response.json().catch(() => ({}))) as { secondFactor?: string; next?: string };
        window.location.assign(body.secondFactor && body.next ? body.next : returnTo);
        return;
      }
      const body = (await response.json().catch(() => ({}))) as SignInApiError;
      const retryAfter = Number(response.headers.get('retry-after'));
      setError(signInErrorMessage(body.error ?? 'UNAVAILABLE', Number.isFinite(retryAfter) ? retryAfter : undefined));
    } catch {
      setError(signInErrorMessage('UNAVAILABLE'));
    }
    setPending(false);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  return (
    <form method="post" action="/api/auth/sign-in" onSubmit={submit} noValidate={false}>
      <input type="hidden" name="next" value={returnTo} />
      <p className="alert error" role="alert" tabIndex={-1} ref={errorRef} hidden={!error} id="sign-in-error">
        {error}
      </p>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          maxLength={254}
          autoFocus
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
