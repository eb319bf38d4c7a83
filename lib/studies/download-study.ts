// A study's files as stored, in one zip (stored, not compressed: pixel data is
// often compressed already, and the files stay byte for byte what the modality
// sent), for whoever may read the study; NOT_FOUND (as if absent) for anyone
// else. Streamed file by file: the next file is read only when the reader has
// taken the previous one.
import { Zip, ZipPassThrough } from 'fflate';
import type { Archive } from '../../pacs-core/archive';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { auditQueueFor } from '../audit/audit-queue';
import type { Principal } from '../policy';
import { requireVisibleStudy } from './visible-study';

export interface StudyDownload {
  /** e.g. MRN-1_20240101.zip */
  filename: string;
  files: number;
  body: ReadableStream<Uint8Array>;
}

/** Safe in a zip entry name on every OS */
function part(text: string, fallback: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48);
  return cleaned || fallback;
}

export async function downloadStudy(
  context: { db: Database; archive: Archive; logger: Logger; shared: Map<string, unknown> },
  principal: Principal,
  studyInstanceUid: string,
  request: { resource: string },
): Promise<StudyDownload> {
  const action = 'portal.study.download';
  const visible = await requireVisibleStudy(context, principal, studyInstanceUid, { action, resource: request.resource });
  const study = await context.db.study.findUniqueOrThrow({
    where: { id: visible.id },
    select: {
      studyDate: true,
      series: {
        orderBy: [{ seriesNumber: 'asc' }, { id: 'asc' }],
        select: {
          seriesNumber: true,
          modality: true,
          instances: { orderBy: [{ instanceNumber: 'asc' }, { id: 'asc' }], select: { blobKey: true, instanceNumber: true, sopInstanceUid: true } },
        },
      },
    },
  });
  const entries = study.series.flatMap((series, seriesIndex) =>
    series.instances.map((instance, index) => ({
      blobKey: instance.blobKey,
      name: `${part(`${series.seriesNumber ?? seriesIndex + 1}_${series.modality}`, `series${seriesIndex + 1}`)}/${String(instance.instanceNumber ?? index + 1).padStart(5, '0')}_${part(instance.sopInstanceUid, 'image')}.dcm`,
    })),
  );
  const folder = part(`${visible.patientId}_${study.studyDate}`, 'study');
  auditQueueFor(context).enqueue({
    actor: principal.email,
    actorUserId: principal.userId,
    sourceIp: principal.ip,
    action,
    outcome: 'SUCCESS',
    facilityId: visible.facilityId,
    patientId: visible.patientId,
    studyUid: studyInstanceUid,
    details: { files: entries.length },
  });

  let next = 0;
  let zip: Zip;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    async pull() {
      if (next >= entries.length) {
        zip.end();
        return;
      }
      const entry = entries[next++];
      try {
        const file = new ZipPassThrough(`${folder}/${entry.name}`);
        zip.add(file);
        file.push(await context.archive.store.get(entry.blobKey), true);
      } catch (error) {
        context.logger.error('study download failed', { studyUid: studyInstanceUid, blobKey: entry.blobKey, error: String(error) });
        zip.terminate();
        throw error;
      }
    },
  });
  return { filename: `${folder}.zip`, files: entries.length, body };
}
