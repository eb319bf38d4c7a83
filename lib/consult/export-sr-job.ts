// The job behind an SR export (export-sr.ts): build the report from the
// annotations the request named, store it in the archive, mark the export
// DONE and audit it (consult.export) in one transaction. Idempotent: the
// SOP Instance UID was fixed when the export row was written, so a retry
// after a crash between the store and the mark finds the instance stored and
// only marks; an export already DONE is left alone.
import { defineJob } from '../jobs/registry';
import { recordAudit } from '../audit/record-audit';
import { buildReportBytes, loadReportContent } from './sr-report-content';

export interface ExportSrJobPayload {
  exportId: string;
  /** The annotations as of the request, in drawing order */
  annotationIds: string[];
  seriesNumber: number;
  /** ISO 8601 */
  seriesCreatedAt: string;
  instanceNumber: number;
  completion: 'COMPLETE' | 'PARTIAL';
  predecessor: { sopInstanceUid: string; seriesInstanceUid: string } | null;
  /** Who asked, for the audit event */
  actor: { userId: string; email: string; ip: string };
}

export const exportSrJob = defineJob('consult.export-sr', async (payload, { db, archive }) => {
  const exported = await db.consultationExport.findUnique({
    where: { id: payload.exportId },
    select: {
      state: true,
      sopInstanceUid: true,
      seriesInstanceUid: true,
      annotationCount: true,
      createdAt: true,
      consultation: { select: { id: true, facilityId: true, studyInstanceUid: true } },
    },
  });
  // Gone with its consultation (deleted since), or stored already: nothing left to do
  if (!exported || exported.state === 'DONE') return;
  const { consultation } = exported;
  // Annotations removed in the session since the request are exported all the same: the user asked for these
  const { study, measurements } = await loadReportContent(db, consultation, { id: { in: payload.annotationIds } });
  if (measurements.length !== payload.annotationIds.length) throw new Error('annotations of this export are no longer stored');

  const stored = await db.instance.findFirst({ where: { sopInstanceUid: exported.sopInstanceUid, series: { studyRef: study.id } }, select: { id: true } });
  if (!stored) {
    const bytes = buildReportBytes(study, {
      ...reportInput(payload, exported.createdAt),
      studyInstanceUid: consultation.studyInstanceUid,
      seriesInstanceUid: exported.seriesInstanceUid,
      sopInstanceUid: exported.sopInstanceUid,
      measurements,
    });
    // The archive's one ingest path (its own transaction; the file is durable and indexed when it returns).
    await archive.ingest(Buffer.from(bytes), { kind: 'import', source: `consultation:${consultation.id}` }, study.facilityId);
  }

  const result = { sopInstanceUid: exported.sopInstanceUid, seriesInstanceUid: exported.seriesInstanceUid, annotationCount: exported.annotationCount };
  await db.$transaction(async (tx) => {
    const marked = await tx.consultationExport.updateMany({ where: { id: payload.exportId, state: 'PENDING' }, data: { state: 'DONE' } });
    if (marked.count !== 1) return;
    await recordAudit(tx, {
      actor: payload.actor.email,
      actorUserId: payload.actor.userId,
      action: 'consult.export',
      outcome: 'SUCCESS',
      facilityId: study.facilityId,
      patientId: study.patient.patientId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: payload.actor.ip,
      resource: `consultations/${consultation.id}`,
      details: { ...result, instanceNumber: payload.instanceNumber },
    });
  });
});

/** The report's numbers and dates as the request decided them (the job builds from the same). */
export function reportInput(payload: Omit<ExportSrJobPayload, 'exportId'>, createdAt: Date) {
  return {
    seriesNumber: payload.seriesNumber,
    seriesCreatedAt: new Date(payload.seriesCreatedAt),
    instanceNumber: payload.instanceNumber,
    createdAt,
    completion: payload.completion,
    predecessor: payload.predecessor ?? undefined,
  };
}
