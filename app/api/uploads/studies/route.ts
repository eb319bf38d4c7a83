// GET /api/uploads/studies?uid=<StudyInstanceUID>&uid=… → {studies: [{studyInstanceUid, description,
// studyDate, modalities, numberOfInstances, patient: {id, patientId, name}, facility: {name}}]}
// The upload page's summary of what it stored (lib/search/uploaded-studies.ts); studies the
// caller may not read are left out. At most 100 UIDs.
import { getRuntime } from '../../../../lib/runtime';
import { summarizeUploadedStudies } from '../../../../lib/search/uploaded-studies';
import { requireApiUser } from '../../../_lib/api-session';
import { noStore } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const uids = new URL(request.url).searchParams.getAll('uid').filter((uid) => /^[0-9.]{1,64}$/.test(uid));
  return noStore({ studies: await summarizeUploadedStudies(getRuntime(), caller.user.id, uids) });
}
