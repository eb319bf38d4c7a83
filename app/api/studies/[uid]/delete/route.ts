// POST /api/studies/{uid}/delete (form: reason) — administrators of the
// study's facility only; the reason is required and goes into the audit
// event with what was removed. A study the caller cannot see is 404; one
// they can see but not administer is 403.
import { deleteStudy } from '../../../../../pacs-core/delete-study';
import { writeAuditEvent } from '../../../../../lib/audit/write-audit-event';
import type { AuditDetails } from '../../../../../lib/audit/actions';
import { canAdministerFacility, readScopeFor } from '../../../../../lib/policy';
import { findVisibleStudy } from '../../../../../pacs-core/index/find-visible-study';
import { getRuntime } from '../../../../../lib/runtime';
import { requireApiUser } from '../../../../_lib/api-session';
import { jsonError } from '../../../../_lib/json-response';
import { auditRefusedRequest } from '../../../../_lib/refused-attempt';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ uid: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const { uid } = await params;
  const runtime = getRuntime();
  const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  const back = (status: number, code: string, message: string) =>
    isForm
      ? new Response(null, { status: 303, headers: { location: `/studies/${encodeURIComponent(uid)}?error=${encodeURIComponent(message)}` } })
      : jsonError(status, code, message);

  const scope = await readScopeFor(runtime.db, caller.user.id);
  // The copy of the study this caller sees (each facility holds its own copy;
  // deleting it leaves other facilities' copies as they are)
  const visible = await findVisibleStudy(runtime.db, uid, scope);
  const study = visible && (await runtime.db.study.findUnique({ where: { id: visible.id }, select: { facilityId: true, description: true, patient: { select: { patientId: true } } } }));
  // Whoever may read the study (a teleconsultation's grant included) learns
  // that they may not delete it; only its facility's administrators may.
  if (!study) {
    await auditRefusedRequest(caller, request, 'portal.study.delete', { kind: 'study', studyInstanceUid: uid });
    return jsonError(404, 'NOT_FOUND', 'No such study.');
  }
  const audit = (outcome: 'SUCCESS' | 'FAILURE' | 'DENIED', details: AuditDetails<'portal.study.delete'>) =>
    writeAuditEvent(
      runtime.db,
      {
        actor: caller.user.email,
        actorUserId: caller.user.id,
        sourceIp: caller.client.ip,
        action: 'portal.study.delete',
        outcome,
        facilityId: study.facilityId,
        patientId: study.patient.patientId,
        studyUid: uid,
        details,
      },
      runtime.logger,
    );
  if (!(await canAdministerFacility(runtime.db, caller.user.id, study.facilityId))) {
    await audit('DENIED', { reason: 'not an administrator of the facility' });
    return back(403, 'FORBIDDEN', 'Only an administrator of this facility may delete a study.');
  }

  let reason = '';
  try {
    const form = isForm ? await request.formData() : null;
    reason = String(form ? (form.get('reason') ?? '') : ((await request.json()) as { reason?: unknown }).reason ?? '').trim();
  } catch {
    return back(400, 'BAD_REQUEST', 'The request could not be read.');
  }
  if (reason.length < 5 || reason.length > 500) return back(400, 'REASON_REQUIRED', 'Give a reason of 5 to 500 characters.');

  try {
    const deleted = await deleteStudy(runtime.archive, uid, study.facilityId);
    await audit('SUCCESS', { reason, description: study.description, series: deleted.series, instances: deleted.instances, bytes: deleted.bytes, patientRemoved: deleted.patientRemoved });
    runtime.logger.info('study deleted', { studyUid: uid, by: caller.user.email, instances: deleted.instances });
    const notice = `Study deleted: ${deleted.instances} image${deleted.instances === 1 ? '' : 's'} removed.`;
    return isForm
      ? new Response(null, { status: 303, headers: { location: `/?notice=${encodeURIComponent(notice)}` } })
      : Response.json({ status: 'deleted', ...deleted }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    await audit('FAILURE', { reason, error: error instanceof Error ? error.message : String(error) });
    runtime.logger.error('study deletion failed', { studyUid: uid, error: String(error) });
    return back(500, 'DELETE_FAILED', 'The study could not be deleted completely; the server log says why.');
  }
}
