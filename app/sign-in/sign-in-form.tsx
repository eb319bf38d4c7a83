'use client';
// Works without JavaScript (a plain form post, answered with a redirect);
// with it, errors appear in place and the password field is kept focused.
import { useRef, useState, type FormEvent } from 'react';
import { postSignInStep } from './post-sign-in-step';

export function SignInForm({ returnTo, initialError }: { returnTo: string; initialError?: string }) {
  const [error, setError] = useState<string | undefined>(initialError);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const answer = await postSignInStep('/api/auth/sign-in', { email: form.get('email'), password: form.get('password'), next: returnTo });
    if (answer.ok) {
      // A full navigation, so every server component renders for the new
      // session, or (a second factor is owed) the sign-in page its second step.
      window.location.assign(answer.body.secondFactor && answer.body.next ? answer.body.next : returnTo);
      return;
    }
    setError(answer.message);
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
