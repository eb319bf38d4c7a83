// The invitees of a new teleconsultation as users: each entry an e-mail, a
// user id (a suggestion picked in the form) or a name typed in full or in
// part. An entry that names nobody, or several people, is refused with words
// that say which entry and why; nobody is invited by guesswork.
import { AdminError } from '../admin/errors';
import type { Database } from '../../prisma/database';
import { listInvitableColleagues } from './list-invitable-colleagues';
import { matchColleague, type InvitableColleague } from './match-colleague';

export interface Invitee {
  id: string;
  email: string;
}

/** In the order given, without duplicates and without the inviting user. */
export async function resolveInvitees(db: Database, actorUserId: string, entries: readonly string[]): Promise<Invitee[]> {
  const emails = entries.filter((entry) => entry.includes('@')).map((entry) => entry.trim().toLowerCase());
  // Guest accounts (one consultation each, by a guest link) cannot be invited elsewhere.
  const byEmail = emails.length
    ? await db.user.findMany({ where: { email: { in: emails }, disabled: false, guest: false }, select: { id: true, email: true } })
    : [];
  let directory: InvitableColleague[] | undefined;
  const problems: string[] = [];
  const unknownEmails: string[] = [];
  const resolved: Invitee[] = [];
  for (const entry of entries) {
    if (entry.includes('@')) {
      const user = byEmail.find((candidate) => candidate.email === entry.trim().toLowerCase());
      if (user) resolved.push(user);
      else unknownEmails.push(entry.trim().toLowerCase());
      continue;
    }
    directory ??= await listInvitableColleagues(db, actorUserId);
    const match = matchColleague(directory, entry);
    if (match.kind === 'one') resolved.push({ id: match.colleague.id, email: match.colleague.email });
    else problems.push(match.message);
  }
  if (unknownEmails.length) {
    problems.unshift(`No active Telepacs user with ${unknownEmails.length === 1 ? 'this e-mail' : 'these e-mails'}: ${unknownEmails.join(', ')}`);
  }
  if (problems.length) throw new AdminError('INVALID_INPUT', problems.join(' '), { invitees: problems.join(' ') });
  const seen = new Set<string>([actorUserId]);
  return resolved.filter((user) => !seen.has(user.id) && Boolean(seen.add(user.id)));
}
