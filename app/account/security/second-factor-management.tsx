'use client';
// New recovery codes (with a code), or turning the second factor off (with
// the password and a code).
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { RecoveryCodesList } from '../../_components/second-factor-enrolment';
import { callApi } from '../../admin/_components/api-call';

export function SecondFactorManagement() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [codes, setCodes] = useState<string[]>();

  async function newCodes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const result = await callApi<{ recoveryCodes: string[] }>('POST', '/api/account/second-factor/recovery-codes', { code: form.get('code') });
    setPending(false);
    if (result.ok) setCodes(result.data.recoveryCodes);
    else setError(result.data.fields?.code ?? result.data.message ?? 'That did not work.');
  }

  async function turnOff(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const result = await callApi<{ mustEnrolAgain: boolean }>('DELETE', '/api/account/second-factor', { password: form.get('password'), code: form.get('code') });
    setPending(false);
    if (!result.ok) {
      setError(result.data.fields?.password ?? result.data.fields?.code ?? result.data.message ?? 'That did not work.');
      return;
    }
    // Where the facility requires one, this session now waits for a new enrolment.
    if (result.data.mustEnrolAgain) window.location.assign('/sign-in?next=/account/security');
    else router.refresh();
  }

  return (
    <>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {codes && <RecoveryCodesList codes={codes} />}
      <form method="post" onSubmit={newCodes}>
        <h3>New recovery codes</h3>
        <p>Replaces all your recovery codes (the old ones stop working).</p>
        <div className="field">
          <label htmlFor="codes-code">Code from your authenticator app</label>
          <input id="codes-code" name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={64} />
        </div>
        <button type="submit" className="button secondary" disabled={pending}>
          Make new recovery codes
        </button>
      </form>
      <form method="post" onSubmit={turnOff}>
        <h3>Turn off, or move to another phone</h3>
        <p>Turn it off, then set it up again on the new phone.</p>
        <div className="field">
          <label htmlFor="off-password">Your password</label>
          <input id="off-password" name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </div>
        <div className="field">
          <label htmlFor="off-code">Code from your authenticator app, or a recovery code</label>
          <input id="off-code" name="code" autoComplete="one-time-code" required maxLength={64} />
        </div>
        <button type="submit" className="button secondary" disabled={pending}>
          Turn off the second factor
        </button>
      </form>
    </>
  );
}
