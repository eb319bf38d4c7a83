/** One error shape for every JSON API: { error: CODE, message: text a person can read }. */
export function jsonError(status: number, error: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error, message }, { status, headers: { 'cache-control': 'no-store', ...headers } });
}
