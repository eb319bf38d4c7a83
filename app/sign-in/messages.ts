// What the sign-in form says for each outcome. One wording for a wrong
// password and an unknown email, so the page does not reveal who has an account.
export type SignInErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'ACCOUNT_DISABLED'
  | 'INVALID_INPUT'
  | 'CROSS_ORIGIN'
  | 'UNAVAILABLE'
  // the second step (lib/auth/second-factor)
  | 'INVALID_CODE'
  | 'SIGN_IN_EXPIRED';

/** The HTTP status of each refusal, for the sign-in and second-factor APIs. */
export const SIGN_IN_ERROR_STATUS: Record<SignInErrorCode, number> = {
  INVALID_CREDENTIALS: 401,
  ACCOUNT_DISABLED: 403,
  RATE_LIMITED: 429,
  INVALID_INPUT: 400,
  CROSS_ORIGIN: 403,
  UNAVAILABLE: 503,
  INVALID_CODE: 401,
  SIGN_IN_EXPIRED: 401,
};

export function signInErrorMessage(code: string | undefined, retryAfterSeconds?: number): string | undefined {
  switch (code) {
    case undefined:
    case '':
      return undefined;
    case 'INVALID_CREDENTIALS':
      return 'The email or password is not correct.';
    case 'RATE_LIMITED':
      // Throttling counts per account and address (lib/auth/login-rate-limiter.ts): say
      // so, so that a doctor who did not mistype knows it is not their doing.
      return `Too many failed sign-in attempts for this account. Try again in ${waitText(retryAfterSeconds ?? 900)}. If you did not make them, tell your facility administrator: they are in the audit log.`;
    case 'ACCOUNT_DISABLED':
      return 'This account is disabled. Ask your facility administrator.';
    case 'INVALID_INPUT':
      return 'Enter your email address and password.';
    case 'INVALID_CODE':
      return 'That code is not right. Type the 6 digits your authenticator app shows now, or one of your recovery codes.';
    case 'SIGN_IN_EXPIRED':
      return 'The sign-in took too long. Enter your email and password again.';
    case 'CROSS_ORIGIN':
      return 'Sign in from the Telepacs sign-in page.';
    default:
      return 'Sign-in is not available right now. Try again shortly.';
  }
}

function waitText(seconds: number): string {
  if (seconds < 60) {
    const whole = Math.max(1, Math.ceil(seconds));
    return `${whole} second${whole === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
