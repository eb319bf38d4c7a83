'use client';
// "Join the teleconsultation": the POST that uses the guest link. On success
// the server has signed the guest in (session cookie); the consultation page
// replaces this one in the history, so Back does not return to a used link.
import { useRef, useState, type FormEvent } from 'react';

export function JoinAsGuestButton({ token }: { token: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [usable, setUsable] = useState(true);
  const errorRef = useRef<HTMLParagraphElement>(null);

  async function join(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const response = await fetch(`/guest/${encodeURIComponent(token)}/join`, {
        method: 'POST',
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        // The page itself sends no referrer (the token is in its URL); this
        // request still needs its Origin header for the server's CSRF check,
        // which a no-referrer policy would blank out.
        referrerPolicy: 'strict-origin',
      });
      const body = (await response.json().catch(() => ({}))) as { path?: string; message?: string };
      if (response.ok && body.path) {
        window.location.replace(body.path);
        return;
      }
      setError(body.message ?? 'That did not work. Try again.');
      // 404/410: the link is gone for good; other failures may be retried
      setUsable(response.status !== 404 && response.status !== 410);
    } catch {
      setError('The server could not be reached. Check the connection and try again.');
    }
    setPending(false);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  return (
    <form method="post" onSubmit={join}>
      <p className="alert error" role="alert" tabIndex={-1} ref={errorRef} hidden={!error}>
        {error}
      </p>
      {usable && (
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Joining…' : 'Join the teleconsultation'}
        </button>
      )}
    </form>
  );
}
