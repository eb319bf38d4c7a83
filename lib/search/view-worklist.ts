// The worklist of the signed-in viewer: the search runs in their read scope, the
// Report column and filter in their report read rule (lib/policy); the orders
// scheduled but not yet imaged of their facilities beside it (lib/orders).
import type { Database } from '../../prisma/database';
import { listScheduledOrders, type ScheduledOrders } from '../orders/scheduled-orders';
import { readScopeFor, reportReaderScope } from '../policy';
import { searchWorklist, type WorklistRequest, type WorklistResult } from './worklist';

export interface ViewedWorklist extends WorklistResult {
  /** null when the filters ask about studies only (a report or an age filter) */
  scheduled: ScheduledOrders | null;
}

export async function viewWorklist(context: { db: Database }, viewer: { id: string }, request: WorklistRequest): Promise<ViewedWorklist> {
  const scope = await readScopeFor(context.db, viewer.id);
  const now = new Date();
  const result = await searchWorklist(context.db, scope, request, now, await reportReaderScope(context.db, viewer.id));
  return { ...result, scheduled: await listScheduledOrders(context.db, scope, request.filters, now) };
}
