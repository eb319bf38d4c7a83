// The worklist of the signed-in viewer: the search runs in their read scope, the
// Report column and filter in their report read rule (lib/policy).
import type { Database } from '../../prisma/database';
import { readScopeFor, reportReaderScope } from '../policy';
import { searchWorklist, type WorklistRequest, type WorklistResult } from './worklist';

export async function viewWorklist(context: { db: Database }, viewer: { id: string }, request: WorklistRequest): Promise<WorklistResult> {
  return searchWorklist(context.db, await readScopeFor(context.db, viewer.id), request, new Date(), await reportReaderScope(context.db, viewer.id));
}
