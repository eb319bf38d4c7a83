'use client';
// Setting up an authenticator app: a new secret as a QR code and as text, a
// code from the app to confirm (only then is it active), then the recovery
// codes, shown once. Used on the account page and, when a facility requires a
// second factor, right after the password at sign-in.
import { useState, type FormEvent } from 'react';

interface Started {
  secret: string;
  /** otpauth://totp/… — what the QR code holds; opens the authenticator app on the phone itself */
  uri: string;
  qrSvg: string;
}

async function post(body: unknown): Promise<{ ok: boolean; data: { message?: string; fields?: Record<string, string>; recoveryCodes?: string[] } & Partial<Started> }> {
  try {
    const response = await fetch('/api/auth/second-factor/enrolment', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    return { ok: response.ok, data: await response.json().catch(() => ({})) };
  } catch {
    return { ok: false, data: { message: 'The server could not be reached. Check the connection and try again.' } };
  }
}

export function RecoveryCodesList({ codes }: { codes: string[] }) {
  return (
    <div className="alert info" role="status">
      <p>
        <strong>Your recovery codes.</strong> Each works once instead of a code from the app, if you lose your phone. Print them or keep them somewhere
        safe, away from the phone: they are not shown again.
      </p>
      <ol data-testid="recovery-codes" style={{ columns: 2, fontFamily: 'monospace' }}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
    </div>
  );
}

export function SecondFactorEnrolment({ continueTo, continueLabel }: { continueTo: string; continueLabel: string }) {
  const [started, setStarted] = useState<Started>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function start() {
    setPending(true);
    setError(undefined);
    const result = await post({ action: 'start' });
    setPending(false);
    if (result.ok && result.data.secret && result.data.uri && result.data.qrSvg) setStarted({ secret: result.data.secret, uri: result.data.uri, qrSvg: result.data.qrSvg });
    else setError(result.data.message ?? 'The set-up could not start. Try again.');
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '');
    setPending(true);
    setError(undefined);
    const result = await post({ action: 'confirm', code });
    setPending(false);
    if (result.ok && result.data.recoveryCodes) setRecoveryCodes(result.data.recoveryCodes);
    else setError(result.data.fields?.code ?? result.data.message ?? 'That did not work. Try again.');
  }

  if (recoveryCodes) {
    return (
      <>
        <p className="alert info" role="status">
          Your authenticator app is set up. From now on, sign-in asks for its code after your password.
        </p>
        <RecoveryCodesList codes={recoveryCodes} />
        <a className="button" href={continueTo}>
          {continueLabel}
        </a>
      </>
    );
  }

  return (
    <div>
      {error && !started && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {!started ? (
        <button type="button" className="button" onClick={() => void start()} disabled={pending}>
          {pending ? 'Starting…' : 'Set up an authenticator app'}
        </button>
      ) : (
        <form method="post" onSubmit={confirm}>
          <p>1. In an authenticator app on your phone (FreeOTP, Google Authenticator, Microsoft Authenticator, Aegis…), add an account by scanning this code:</p>
          {/* The SVG is made on our server by the qrcode package from the otpauth:// URI: no script, no third party sees the secret. */}
          <div role="img" aria-label="QR code of your authenticator secret" style={{ width: 200, height: 200, background: '#fff' }} dangerouslySetInnerHTML={{ __html: started.qrSvg }} />
          <p>
            On this phone? <a href={started.uri}>Add it to your authenticator app</a>. Or type this key into the app:{' '}
            <code data-testid="totp-secret">{started.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
          </p>
          <div className="field">
            <label htmlFor="enrol-code">2. Type the 6-digit code the app shows</label>
            <input
              id="enrol-code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
              autoFocus
              aria-invalid={Boolean(error)}
              aria-describedby={error ? 'enrol-code-error' : undefined}
            />
            {/* Beside the field, not above the QR code: on a phone the top of the form is off screen when "Turn on" is pressed. */}
            {error && (
              <p className="alert error" role="alert" id="enrol-code-error">
                {error}
              </p>
            )}
          </div>
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Checking…' : 'Turn on'}
          </button>
        </form>
      )}
    </div>
  );
}
