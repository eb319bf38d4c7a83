'use client';
// The second step of a sign-in: the code from the authenticator app or a
// recovery code. Works without JavaScript (a plain form post, answered with a
// redirect), like the password form.
import { useRef, useState, type FormEvent } from 'react';
import { postSignInStep } from './post-sign-in-step';

export function SecondFactorForm({ returnTo, initialError }: { returnTo: string; initialError?: string }) {
  const [error, setError] = useState<string | undefined>(initialError);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const answer = await postSignInStep('/api/auth/second-factor', { code: form.get('code'), next: returnTo });
    if (answer.ok) {
      window.location.assign(returnTo);
      return;
    }
    if (answer.error === 'SIGN_IN_EXPIRED') {
      window.location.assign(`/sign-in?${new URLSearchParams({ restart: '1', error: 'SIGN_IN_EXPIRED', next: returnTo })}`);
      return;
    }
    setError(answer.message);
    setPending(false);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  return (
    <form method="post" action="/api/auth/second-factor" onSubmit={submit}>
      <input type="hidden" name="next" value={returnTo} />
      <p className="alert error" role="alert" tabIndex={-1} ref={errorRef} hidden={!error} id="code-error">
        {error}
      </p>
      <div className="field">
        <label htmlFor="code">Code from your authenticator app</label>
        <input id="code" name="code" autoComplete="one-time-code" inputMode="text" required maxLength={64} autoFocus aria-describedby={error ? 'code-error code-hint' : 'code-hint'} />
        <p id="code-hint" style={{ margin: 0, fontSize: '0.85rem' }}>
          Lost your phone? Type one of your recovery codes instead.
        </p>
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Checking…' : 'Continue'}
      </button>
    </form>
  );
}
