// What the two steps of a sign-in (POST /api/auth/sign-in, POST
// /api/auth/second-factor) share: a JSON body from scripts and the page, or an
// HTML form post from a browser without JavaScript; where to go afterwards;
// and one way to refuse — a JSON error, or a 303 back to the sign-in page with
// the reason, both with Retry-After when throttled.
import type { z } from 'zod';
import { SIGN_IN_ERROR_STATUS, signInErrorMessage, type SignInErrorCode } from '../sign-in/messages';
import { jsonError } from './json-response';
import { safeReturnPath } from './return-path';

export interface SignInStep<T> {
  isForm: boolean;
  /** The parsed body, or undefined when it does not match the schema */
  input: T | undefined;
  /** A safe path on this site to return to */
  returnTo: string;
  fail(code: SignInErrorCode, retryAfterSeconds?: number): Response;
}

export async function readSignInStep<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<SignInStep<z.output<Schema>>> {
  const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  const body: unknown = isForm ? Object.fromEntries(await request.formData()) : await request.json().catch(() => null);
  const parsed = schema.safeParse(body);
  const input = parsed.success ? parsed.data : undefined;
  const returnTo = safeReturnPath((input as { next?: string } | undefined)?.next);
  const fail = (code: SignInErrorCode, retryAfterSeconds?: number): Response => {
    const retryHeaders: Record<string, string> = retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {};
    if (!isForm) return jsonError(SIGN_IN_ERROR_STATUS[code], code, signInErrorMessage(code, retryAfterSeconds) ?? '', retryHeaders);
    const query = new URLSearchParams({ error: code, ...(retryAfterSeconds ? { retry: String(retryAfterSeconds) } : {}), next: returnTo });
    return new Response(null, { status: 303, headers: { location: `/sign-in?${query}`, ...retryHeaders } });
  };
  return { isForm, input, returnTo, fail };
}
