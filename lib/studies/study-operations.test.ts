// Deleting and downloading a study through lib/ (the routes only parse and
// answer): on a real archive and database, the principal decides what happens.
// Outsiders cannot tell the study exists, members who do not administer the
// facility are refused deletion, administrators delete with a written reason,
// and every attempt is in the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { silentLogger } from '../../pacs-core/logger';
import { createArchiveHarness, type ArchiveHarness } from '../../test/support/archive-harness';
import { makeStudy, type FixtureStudy } from '../../test/support/fixtures';
import { auditQueueFor } from '../audit/audit-queue';
import { isDomainError, type DomainErrorCode } from '../errors';
import type { Principal } from '../policy';
import { createUser } from '../policy/test-fixtures';
import { deleteStudy } from './delete-study';
import { downloadStudy } from './download-study';

describe('study delete and download decide access themselves', () => {
  let h: ArchiveHarness;
  let context: ArchiveHarness & { logger: typeof silentLogger; shared: Map<string, unknown> };
  let study: FixtureStudy;
  let admin: Principal;
  let member: Principal;
  let outsider: Principal;
  const origin = { kind: 'import', source: 'study-operations-test' } as const;
  const resource = (uid: string) => ({ resource: `POST /api/studies/${uid}/delete` });
  const failsWith = (code: DomainErrorCode, userMessage: string) => (error: unknown) => isDomainError(error) && error.code === code && error.userMessage === userMessage;
  const principal = async (facilityId: string, role: 'ADMIN' | 'REFERRING'): Promise<Principal> => {
    const user = await createUser(h.db, { memberships: [{ facilityId, role }] });
    return { userId: user.id, email: user.email, ip: '192.0.2.7' };
  };
  const auditOf = (uid: string, actorUserId: string) =>
    h.db.auditEvent.findMany({ where: { studyUid: uid, actorUserId }, select: { action: true, outcome: true, facilityId: true, details: true }, orderBy: { at: 'asc' } });

  before(async () => {
    h = await createArchiveHarness();
    context = { ...h, logger: silentLogger, shared: new Map() };
    study = makeStudy({ patientId: 'OPS-1', series: 2, instancesPerSeries: 2, seed: 'study-operations' });
    for (const file of study) await h.archive.ingest(file, origin, h.facilityId);
    admin = await principal(h.facilityId, 'ADMIN');
    member = await principal(h.facilityId, 'REFERRING');
    outsider = await principal(h.otherFacilityId, 'ADMIN');
  });
  after(async () => {
    await h.cleanup();
  });

  it('answers an outsider NOT_FOUND, as for a study that does not exist, and records the refusal in the owning facility', async () => {
    const uid = study.studyInstanceUid;
    await assert.rejects(deleteStudy(context, outsider, uid, { reason: 'cleaning up', ...resource(uid) }), failsWith('NOT_FOUND', 'No such study.'));
    await assert.rejects(downloadStudy(context, outsider, uid, resource(uid)), failsWith('NOT_FOUND', 'No such study.'));
    await assert.rejects(deleteStudy(context, outsider, '1.2.3.4.404', { reason: 'cleaning up', ...resource('1.2.3.4.404') }), failsWith('NOT_FOUND', 'No such study.'));
    assert.equal(await h.db.study.count({ where: { studyInstanceUid: uid } }), 1, 'the study is still there');
    await auditQueueFor(context).flush();
    const refusals = await auditOf(uid, outsider.userId);
    assert.deepEqual(
      refusals.filter((event) => event.facilityId === h.facilityId).map((event) => [event.action, event.outcome]),
      [
        ['portal.study.delete', 'DENIED'],
        ['portal.study.download', 'DENIED'],
      ],
    );
  });

  it('refuses deletion to a member who does not administer the facility (FORBIDDEN), and audits it', async () => {
    const uid = study.studyInstanceUid;
    await assert.rejects(
      deleteStudy(context, member, uid, { reason: 'wrong patient', ...resource(uid) }),
      failsWith('FORBIDDEN', 'Only an administrator of this facility may delete a study.'),
    );
    assert.equal(await h.db.study.count({ where: { studyInstanceUid: uid } }), 1);
    assert.deepEqual((await auditOf(uid, member.userId)).map((event) => [event.action, event.outcome]), [['portal.study.delete', 'DENIED']]);
  });

  it('lets a member download the files byte for byte, and audits the download', async () => {
    const download = await downloadStudy(context, member, study.studyInstanceUid, resource(study.studyInstanceUid));
    assert.equal(download.files, 4);
    const files = unzipSync(new Uint8Array(await new Response(download.body).arrayBuffer()));
    const names = Object.keys(files);
    assert.equal(names.length, 4);
    assert.ok(names.every((name) => name.startsWith('OPS-1_')), names.join(', '));
    const stored = new Set(study.map((file) => Buffer.from(file).toString('base64')));
    assert.ok(Object.values(files).every((bytes) => stored.has(Buffer.from(bytes).toString('base64'))), 'each file is one the modality sent');
    await auditQueueFor(context).flush();
    assert.deepEqual((await auditOf(study.studyInstanceUid, member.userId)).filter((event) => event.action === 'portal.study.download').map((event) => event.outcome), ['SUCCESS']);
  });

  it('asks an administrator for a reason, then deletes the study and records the reason with what was removed', async () => {
    const uid = study.studyInstanceUid;
    await assert.rejects(deleteStudy(context, admin, uid, { reason: ' no ', ...resource(uid) }), failsWith('REASON_REQUIRED', 'Give a reason of 5 to 500 characters.'));
    await assert.rejects(deleteStudy(context, admin, uid, { reason: undefined, unreadable: true, ...resource(uid) }), failsWith('BAD_REQUEST', 'The request could not be read.'));
    const deleted = await deleteStudy(context, admin, uid, { reason: '  Wrong patient: re-sent under the right MRN ', ...resource(uid) });
    assert.equal(deleted.instances, 4);
    assert.equal(await h.db.study.count({ where: { studyInstanceUid: uid } }), 0);
    const [event] = await auditOf(uid, admin.userId);
    assert.deepEqual([event.action, event.outcome, event.facilityId], ['portal.study.delete', 'SUCCESS', h.facilityId]);
    assert.equal((JSON.parse(String(event.details)) as { reason: string }).reason, 'Wrong patient: re-sent under the right MRN');
  });
});
