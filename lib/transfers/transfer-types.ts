// The context the transfer-notice operations run in.
import type { Prisma } from '../../prisma/database';
import type { Runtime } from '../runtime';

/** db for everything; io for the alarm and the news after a commit; config for e-mail and the webhook; logger */
export type TransferContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger' | 'config'>>;

/** The transaction client of db.$transaction(async (tx) => …) */
export type TransferTx = Prisma.TransactionClient;

/** The path of a notice's page: the alarm's, the e-mail's and the webhook's link */
export function transferPath(noticeId: string): string {
  return `/transfers/${noticeId}`;
}
