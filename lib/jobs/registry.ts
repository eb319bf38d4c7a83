// Handlers by job type. A handler must be idempotent: a job runs at least once,
// and runs again when its process died after the work but before the job was
// marked done (the lease runs out and another runner claims it).
import type { Archive } from '../../pacs-core/archive';
import type { Logger } from '../../pacs-core/logger';
import type { Server as SocketIOServer } from 'socket.io';
import type { Database } from '../../prisma/database';
import type { JobPayloads, JobType } from './job-types';

export interface JobContext {
  db: Database;
  archive: Archive;
  logger: Logger;
  /** The node's socket.io server, when the runner runs in the portal's process */
  io?: SocketIOServer;
  job: { id: string; key: string; attempts: number; maxAttempts: number; facilityId: string | null };
}

export type JobHandler<Type extends JobType> = (payload: JobPayloads[Type], context: JobContext) => Promise<void>;

export interface JobDefinition<Type extends JobType = JobType> {
  type: Type;
  handle: JobHandler<Type>;
}

/** Any one registered type's definition (each keeps its own payload type). */
export type AnyJobDefinition = { [Type in JobType]: JobDefinition<Type> }[JobType];

/** Typed definition of a handler (keeps the payload type tied to the job type). */
export function defineJob<Type extends JobType>(type: Type, handle: JobHandler<Type>): JobDefinition<Type> {
  return { type, handle };
}

export interface JobRegistry {
  handlerFor(type: string): ((payload: unknown, context: JobContext) => Promise<void>) | undefined;
  types(): string[];
}

export function createJobRegistry(definitions: readonly AnyJobDefinition[]): JobRegistry {
  const handlers = new Map<string, (payload: unknown, context: JobContext) => Promise<void>>();
  for (const definition of definitions) {
    if (handlers.has(definition.type)) throw new Error(`job type ${definition.type} is registered twice`);
    handlers.set(definition.type, definition.handle as (payload: unknown, context: JobContext) => Promise<void>);
  }
  return { handlerFor: (type) => handlers.get(type), types: () => [...handlers.keys()] };
}
