// GET /api/studies/{uid}/download — the study's files as stored, in one zip
// (stored, not compressed: pixel data is often compressed already, and the
// files stay byte for byte what the modality sent). Streamed file by file:
// the next file is read only when the browser has taken the previous one.
import { Zip, ZipPassThrough } from 'fflate';
import { auditQueueFor } from '../../../../../lib/audit/audit-queue';
import { readScopeFor } from '../../../../../lib/policy';
import { findVisibleStudy } from '../../../../../pacs-core/index/find-visible-study';
import { getRuntime } from '../../../../../lib/runtime';
import { requireApiUser } from '../../../../_lib/api-session';
import { jsonError } from '../../../../_lib/json-response';
import { auditRefusedRequest } from '../../../../_lib/refused-attempt';

export const dynamic = 'force-dynamic';

/** Safe in a zip entry name on every OS */
function part(text: string, fallback: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48);
  return cleaned || fallback;
}

export async function GET(request: Request, { params }: { params: Promise<{ uid: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const { uid } = await params;
  const runtime = getRuntime();
  const scope = await readScopeFor(runtime.db, caller.user.id);
  // The copy of the study this caller may see (each facility holds its own)
  const visible = await findVisibleStudy(runtime.db, uid, scope);
  const study = visible && await runtime.db.study.findUnique({
    where: { id: visible.id },
    select: {
      facilityId: true,
      studyDate: true,
      patient: { select: { patientId: true } },
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
  // Absent and not allowed look alike
  if (!study) {
    await auditRefusedRequest(caller, request, 'portal.study.download', { kind: 'study', studyInstanceUid: uid });
    return jsonError(404, 'NOT_FOUND', 'No such study.');
  }
  const entries = study.series.flatMap((series, seriesIndex) =>
    series.instances.map((instance, index) => ({
      blobKey: instance.blobKey,
      name: `${part(`${series.seriesNumber ?? seriesIndex + 1}_${series.modality}`, `series${seriesIndex + 1}`)}/${String(instance.instanceNumber ?? index + 1).padStart(5, '0')}_${part(instance.sopInstanceUid, 'image')}.dcm`,
    })),
  );
  const folder = part(`${study.patient.patientId}_${study.studyDate}`, 'study');
  auditQueueFor(runtime).enqueue({
    actor: caller.user.email,
    actorUserId: caller.user.id,
    sourceIp: caller.client.ip,
    action: 'portal.study.download',
    outcome: 'SUCCESS',
    facilityId: study.facilityId,
    patientId: study.patient.patientId,
    studyUid: uid,
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
        file.push(await runtime.archive.store.get(entry.blobKey), true);
      } catch (error) {
        runtime.logger.error('study download failed', { studyUid: uid, blobKey: entry.blobKey, error: String(error) });
        zip.terminate();
        throw error;
      }
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${folder}.zip"`,
      'cache-control': 'no-store',
    },
  });
}
