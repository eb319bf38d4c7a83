import type { Runtime } from '../runtime';

/** The parts of the runtime that identity needs (a Runtime fits; tests pass just these). */
export type AuthContext = Pick<Runtime, 'db' | 'config' | 'logger' | 'shared' | 'redis'>;
