import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuthContext } from './auth-context';
import { deleteSession, resolveSession } from './sessions';

/** Ends the session of this token (if any); audited as auth.sign_out. */
export async function signOut(context: AuthContext, input: { sessionToken: string | undefined; ip: string }): Promise<boolean> {
  const session = await resolveSession(context.db, input.sessionToken, { ttlHours: context.config.sessionTtlHours });
  const deleted = await deleteSession(context.db, input.sessionToken);
  if (session) {
    await writeAuditEvent(
      context.db,
      { actor: session.user.email, actorUserId: session.user.id, action: 'auth.sign_out', outcome: 'SUCCESS', sourceIp: input.ip },
      context.logger,
    );
  }
  return deleted;
}
