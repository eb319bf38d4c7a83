import type { Runtime } from '../runtime';

/** What administration operations need (a Runtime fits; tests pass just these). */
export type AdminContext = Pick<Runtime, 'db' | 'logger' | 'config'>;

/** Who acts, for the access check and the audit trail. */
export interface AdminActor {
  userId: string;
  email: string;
  ip: string;
}
