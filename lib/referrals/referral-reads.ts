// A party's read state of a case's conversation: when they last read it, and
// which messages are unread for them (another's, written after that). One rule
// for the case page, the lists and the writes that mark the thread read.
import type { Database } from '../../prisma/database';

/** The user has read the case's thread up to `now` (writing on it reads it too). */
export async function markThreadRead(db: Pick<Database, 'referralRead'>, referralId: string, userId: string, now: Date): Promise<void> {
  await db.referralRead.upsert({ where: { referralId_userId: { referralId, userId } }, create: { referralId, userId, readAt: now }, update: { readAt: now } });
}

/** A message the user has not read: someone else's, after their last read (or never read) */
export function isUnread(message: { authorId: string; createdAt: Date }, userId: string, readAt: Date | null | undefined): boolean {
  return message.authorId !== userId && (!readAt || message.createdAt > readAt);
}
