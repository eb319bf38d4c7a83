// Modality Worklist C-FIND (PS3.4 K, SOP class 1.2.840.10008.5.1.4.31) for
// one association: the identifier becomes the worklist's request, the
// matching steps of the peer's facility go back one pending response each,
// a C-CANCEL stops between two, and each query is audited (dimse.mwl-find).
// Matching and the answer's content live in pacs-core/worklist.
import type { requests as RequestTypes } from 'dcmjs-dimse';
import dcmjs from 'dcmjs';
import { ArchiveError, toDimseStatus } from '../errors';
import { planWorklistFind, type WorklistRequest } from '../worklist/find-worklist';
import { REQUESTED_PROCEDURE_CODE_SEQUENCE, SCHEDULED_STEP_SEQUENCE, STEP_ATTRIBUTES, worklistAttribute } from '../worklist/worklist-attributes';
import { STATUS } from './constants';
import { keyText, naturalize } from './identifier';
import { findResponder, type QueryRetrieveSession } from './query-retrieve';

type CFindRequest = RequestTypes.CFindRequest;

/** The answer sets it itself; never a key (PS3.5 6.1.2.3: the answer is UTF-8). */
const NOT_KEYS = new Set(['SpecificCharacterSet']);

export class WorklistFindService {
  constructor(private readonly session: QueryRetrieveSession) {}

  async find(request: CFindRequest): Promise<void> {
    const operation = this.session.beginOperation(request.getMessageId());
    const identifier = request.getDataset()?.getElements() ?? {};
    const answer = findResponder(this.session, request);
    const facilityId = this.session.grant?.facilityId;
    let matches = 0;
    let keys: string[] | undefined;
    try {
      if (!facilityId) throw new ArchiveError('INTERNAL', 'C-FIND outside a negotiated association');
      const plan = planWorklistFind(this.session.context.archive.db, facilityId, worklistRequestOf(identifier));
      keys = plan.keywords;
      for await (const match of plan.matches) {
        if (operation.cancelled) break;
        answer(STATUS.PENDING, naturalize(match));
        matches += 1;
        await this.session.letIncomingPdusIn();
      }
      const cancelled = operation.cancelled;
      // Recorded before the final answer, as for the archive's C-FIND
      await this.session.audit({ action: 'dimse.mwl-find', outcome: 'SUCCESS', facilityId, details: { matches, cancelled, keys } });
      if (!this.session.closed) answer(cancelled ? STATUS.CANCEL : STATUS.SUCCESS);
    } catch (error) {
      const failure = toDimseStatus(error, 'find');
      this.session.context.logger.warn('worklist C-FIND failed', { callingAet: this.session.callingAet, error: error instanceof Error ? error.message : String(error) });
      await this.session.audit({ action: 'dimse.mwl-find', outcome: 'FAILURE', facilityId, details: { keys, error: failure.errorComment } });
      if (!this.session.closed) answer(failure.status, undefined, failure.errorComment);
    } finally {
      this.session.endOperation(request.getMessageId());
    }
  }
}

/**
 * A naturalized identifier (dcmjs: keyword → value, a sequence as an array
 * of items) as the worklist's request. Keys the worklist holds no value for
 * are kept by their tag and VR to be answered zero-length; private and
 * unknown elements are left out.
 */
export function worklistRequestOf(identifier: Record<string, unknown>): WorklistRequest {
  const keys = new Map<string, string>();
  let step: Map<string, string> | undefined;
  const unsupported: { keyword: string; tag: string; vr: string; inStep: boolean }[] = [];
  const add = (target: Map<string, string>, keyword: string, value: unknown, inStep: boolean) => {
    if (keyword.startsWith('_') || NOT_KEYS.has(keyword)) return;
    if (!inStep && keyword === REQUESTED_PROCEDURE_CODE_SEQUENCE.keyword) {
      target.set(keyword, ''); // returned whole, never matched on
    } else if (worklistAttribute(keyword, inStep)) {
      target.set(keyword, keyText(value));
    } else {
      const entry = (dcmjs.data.DicomMetaDictionary.nameMap as Record<string, { tag: string; vr: string } | undefined>)[keyword];
      if (entry) unsupported.push({ keyword, tag: entry.tag.replace(/[(),]/g, '').toUpperCase(), vr: entry.vr, inStep });
    }
  };
  for (const [keyword, value] of Object.entries(identifier)) {
    if (keyword === SCHEDULED_STEP_SEQUENCE.keyword) {
      // PS3.4 C.2.2.2.6: one item carries the step's keys; zero items ask for the whole step
      step = new Map();
      const item: unknown = Array.isArray(value) ? value[0] : undefined;
      if (item && typeof item === 'object') for (const [inner, innerValue] of Object.entries(item)) add(step, inner, innerValue, true);
      else for (const attribute of STEP_ATTRIBUTES) step.set(attribute.keyword, '');
    } else add(keys, keyword, value, false);
  }
  return { keys, step, unsupported };
}
