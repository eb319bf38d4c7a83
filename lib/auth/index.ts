// Identity: who is calling. Access decisions live in lib/policy.
export type { AuthContext } from './auth-context';
export { authenticateRequest, type AuthenticationRequest } from './authenticate-request';
export { createApiToken, revokeApiToken, verifyApiToken, type CreatedApiToken, type VerifiedApiToken } from './api-tokens';
export { clientAddressFromNormalizedHeaders, normalizeForwardedHeaders, resolveClientAddress, type ClientAddress } from './client-address';
export { LoginRateLimiter, loginRateLimiterFor } from './login-rate-limiter';
export { generatePassword, hashPassword, verifyPassword, MAX_PASSWORD_LENGTH } from './password';
export { principalForUser } from './principal';
export { MUTATING_METHODS, isAllowedSocketOrigin, isSameOriginRequest } from './same-origin';
export { SESSION_COOKIE_NAME, clearedSessionCookieHeader, readCookie, sessionCookieHeader } from './session-cookie';
export { createSession, deleteExpiredSessions, deleteSession, resolveSession, sessionEnd } from './sessions';
export { signIn, type SignInResult } from './sign-in';
export { signOut } from './sign-out';
export { signedInUserForSession, type SignedInUser } from './signed-in-user';
