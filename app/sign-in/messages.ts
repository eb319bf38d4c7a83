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
    case 'RATE_LIMITED': {
      const minutes = Math.max(1, Math.ceil((retryAfterSeconds ?? 900) / 60));
      return `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    }
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
