// "After the session" (issue 5): a teleconsultation's annotations written into
// the archive as a DICOM SR (TID 1500 measurement report,
// pacs-core/dicom/sr), in the study they were drawn on, so that OHIF and any
// PACS the study goes to show them.
//
// Who: the session's participants, not its guests (a guest came by a one-time
// link to look and talk; writing into a hospital's archive is for its users).
// Anyone else gets NOT_FOUND, as for every consultation operation.
//
// Versions: the first export makes a new series; a later export writes a new
// SR instance into the same series (InstanceNumber + 1, Predecessor Documents
// Sequence naming the previous one, PS3.3 C.17.2.3) rather than replacing the
// stored one. An archive keeps the first copy of an instance and refuses
// changed content under the same UID (pacs-core/ingest.ts), and a report that
// may already have been sent on to another PACS must not silently change; a
// new version beside the old one is how SR documents are amended, and OHIF
// shows the newest instance of an SR series.
//
// Durability (issue 13): this request checks everything, decides the report's
// UIDs and numbers, and commits the export row (PENDING) together with a job
// (lib/jobs); the job builds and stores the SR and marks the row DONE
// (export-sr-job.ts). A crash can no longer leave an SR without its row, or a
// promised export that never happens. The caller waits for the job a few
// seconds, so the user normally sees "saved" as before.
import type { Archive } from '../../pacs-core/archive';
import { newUid } from '../../pacs-core/dicom/sr/uids';
import { KeyedMutex } from '../../pacs-core/keyed-mutex';
import type { Database } from '../../prisma/database';
import { enqueueJob } from '../jobs/enqueue-job';
import { wakeJobRunners, waitForJob } from '../jobs/job-signals';
import { PolicyError } from '../policy/errors';
import { consultationForParticipant, type Actor } from './consultations';
import { reportInput, type ExportSrJobPayload } from './export-sr-job';
import { buildReportBytes, loadReportContent, reportSeries } from './sr-report-content';

export { SR_SERIES_DESCRIPTION } from './sr-report-content';

export interface ExportSrDeps {
  db: Database;
  archive: Archive;
  /** The report's content time; default the clock */
  now?: () => Date;
  /** How long to wait for the archive to store the report before answering PENDING (default 10 s) */
  waitMs?: number;
}

export interface ExportSrResult {
  /** DONE: in the archive; PENDING: committed, stored by a background job (retried until it is) */
  state: 'DONE' | 'PENDING';
  exportId: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  annotationCount: number;
}

export const EXPORT_WAIT_MS = 10_000;

// One export decision of a session at a time in this process: the second must
// see the first's row for its instance number and predecessor.
const exportLocks = new KeyedMutex();

/**
 * Writes the session's annotations (not the deleted ones) into its study as a
 * new SR instance; records the export and audits it (`consult.export`, when
 * stored). NOT_FOUND for non-participants, FORBIDDEN for guests, CONFLICT when
 * there is nothing (or nothing writable) to export.
 */
export async function exportConsultationSr(deps: ExportSrDeps, actor: Actor, consultationId: string): Promise<ExportSrResult> {
  const consultation = await consultationForParticipant(deps.db, actor.userId, consultationId);
  if (consultation.role === 'GUEST') throw new PolicyError('FORBIDDEN', 'guests cannot export the annotations of a teleconsultation');
  const { jobId, result } = await exportLocks.run(consultation.id, () => commitExport(deps, actor, consultation));
  wakeJobRunners();
  const outcome = await waitForJob(deps.db, jobId, deps.waitMs ?? EXPORT_WAIT_MS);
  return { ...result, state: outcome.state === 'DONE' ? 'DONE' : 'PENDING' };
}

async function commitExport(
  { db, now = () => new Date() }: ExportSrDeps,
  actor: Actor,
  consultation: { id: string; facilityId: string; studyInstanceUid: string; endedAt: Date | null },
): Promise<{ jobId: string; result: Omit<ExportSrResult, 'state'> }> {
  const { study, measurements } = await loadReportContent(db, consultation, { deletedAt: null });
  const previous = await db.consultationExport.findMany({
    where: { consultationId: consultation.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { sopInstanceUid: true, seriesInstanceUid: true, createdAt: true },
  });
  const series = await reportSeries(db, study.id, previous);
  const createdAt = now();
  const predecessor = previous.at(-1);
  const payload: Omit<ExportSrJobPayload, 'exportId'> = {
    annotationIds: measurements.map((measurement) => measurement.trackingId),
    seriesNumber: series.seriesNumber,
    seriesCreatedAt: (previous[0]?.createdAt ?? createdAt).toISOString(),
    instanceNumber: previous.length + 1,
    // PS3.3 C.17.2.1: a session that has not ended can still change its annotations
    completion: consultation.endedAt ? 'COMPLETE' : 'PARTIAL',
    predecessor: predecessor ? { sopInstanceUid: predecessor.sopInstanceUid, seriesInstanceUid: predecessor.seriesInstanceUid } : null,
    actor: { userId: actor.userId, email: actor.email, ip: actor.ip },
  };
  // Decided once, here: a retried job writes the same instance (the archive then has it already).
  const sopInstanceUid = newUid();
  // Built once now only to refuse, before anything is promised, what cannot be written as DICOM.
  buildReportBytes(study, { ...reportInput(payload, createdAt), studyInstanceUid: consultation.studyInstanceUid, seriesInstanceUid: series.seriesInstanceUid, sopInstanceUid, measurements });

  const row = { sopInstanceUid, seriesInstanceUid: series.seriesInstanceUid, annotationCount: measurements.length };
  return db.$transaction(async (tx) => {
    const exported = await tx.consultationExport.create({
      data: { consultationId: consultation.id, ...row, exportedById: actor.userId, createdAt, state: 'PENDING' },
      select: { id: true },
    });
    const job = await enqueueJob(tx, { type: 'consult.export-sr', key: exported.id, payload: { ...payload, exportId: exported.id }, facilityId: study.facilityId });
    return { jobId: job.id, result: { exportId: exported.id, ...row } };
  });
}
