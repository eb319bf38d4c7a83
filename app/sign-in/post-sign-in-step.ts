// One step of a sign-in posted as JSON by the page (the password, then the
// code): what both forms do with the answer in common — the JSON body of a
// success, or the refusal in words, with the wait when throttled. Without
// JavaScript the forms post themselves and the server answers with a redirect.
import { signInErrorMessage } from './messages';

export type SignInStepAnswer =
  | { ok: true; body: { secondFactor?: string; next?: string } }
  | { ok: false; error: string; message: string | undefined };

export async function postSignInStep(url: string, payload: Record<string, unknown>): Promise<SignInStepAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string; secondFactor?: string; next?: string };
    if (response.ok) return { ok: true, body };
    const error = body.error ?? 'UNAVAILABLE';
    const retryAfter = Number(response.headers.get('retry-after'));
    return { ok: false, error, message: signInErrorMessage(error, Number.isFinite(retryAfter) ? retryAfter : undefined) };
  } catch {
    return { ok: false, error: 'UNAVAILABLE', message: signInErrorMessage('UNAVAILABLE') };
  }
}
