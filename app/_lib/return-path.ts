/**
 * Where to go after signing in: only a path on this site. "//evil.example"
 * and "/\evil.example" are protocol-relative to browsers, so they are refused
 * (open-redirect defence).
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f]/.test(candidate) || candidate.startsWith('/sign-in') || candidate.startsWith('/api/')) return '/';
  return candidate;
}
