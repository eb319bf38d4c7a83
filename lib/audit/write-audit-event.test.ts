import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import type { Logger } from '../../pacs-core/logger';
import { writeAuditEvent } from './write-audit-event';

function recordingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { info() {}, warn() {}, error: (message, fields) => errors.push({ message, fields }) };
  return { logger, errors };
}

describe('writeAuditEvent', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('records who did what to which study, from where, with details', async () => {
    const { logger, errors } = recordingLogger();
    await writeAuditEvent(
      testDb.db,
      {
        actor: 'doctor@hospital.example',
        actorUserId: 'user-1',
        action: 'dicomweb.stow',
        outcome: 'SUCCESS',
        facilityId: 'facility-1',
        patientId: 'PID-7',
        studyUid: '1.2.3.4',
        resource: '/dicomweb/studies/1.2.3.4',
        sourceIp: '10.0.0.9',
        // A bigint (a byte count from the index) is written as text
        details: { studies: ['1.2.3.4'], stored: 10n as unknown as number },
      },
      logger,
    );
    const rows = await testDb.db.auditEvent.findMany({ where: { studyUid: '1.2.3.4' } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].actor, 'doctor@hospital.example');
    assert.equal(rows[0].action, 'dicomweb.stow');
    assert.equal(rows[0].outcome, 'SUCCESS');
    assert.equal(rows[0].sourceIp, '10.0.0.9');
    // The DICOM audit event ID of the action comes first (PS3.15 A.5.3: 110104 DICOM Instances Transferred)
    assert.deepEqual(JSON.parse(rows[0].details), { eventId: '110104', studies: ['1.2.3.4'], stored: '10' });
    assert.equal(errors.length, 0);
  });

  it('refuses, at compile time, an action that is not in the map and details it does not carry', () => {
    const { logger } = recordingLogger();
    const never = false as boolean;
    if (never) {
      // @ts-expect-error an action not listed in lib/audit/actions.ts does not compile
      void writeAuditEvent(testDb.db, { actor: 'a', action: 'portal.unknown', outcome: 'SUCCESS' }, logger);
      // @ts-expect-error a key the action's details do not carry does not compile
      void writeAuditEvent(testDb.db, { actor: 'a', action: 'portal.patient', outcome: 'SUCCESS', details: { frames: 2 } }, logger);
    }
    assert.ok(true, 'the checks above are made by tsc');
  });

  it('logs instead of throwing when the database refuses the row', async () => {
    const { logger, errors } = recordingLogger();
    // A real failure, not a mock: the table is gone in a second, throw-away database.
    const brokenDb = await createTestDatabase();
    try {
      await brokenDb.db.$executeRawUnsafe('DROP TABLE "AuditEvent"');
      await writeAuditEvent(brokenDb.db, { actor: 'anonymous', action: 'auth.sign_in', outcome: 'FAILURE' }, logger);
    } finally {
      await brokenDb.cleanup();
    }
    assert.equal(errors.length, 1);
    assert.match(String(errors[0].fields?.error), /AuditEvent/);
    assert.equal((errors[0].fields?.auditEvent as { action: string }).action, 'auth.sign_in');
  });

  it('truncates oversized details rather than storing them whole', async () => {
    const { logger } = recordingLogger();
    await writeAuditEvent(
      testDb.db,
      { actor: 'a', action: 'portal.worklist', outcome: 'SUCCESS', resource: 'big', details: { filters: 'x'.repeat(100_000) } },
      logger,
    );
    const row = await testDb.db.auditEvent.findFirstOrThrow({ where: { resource: 'big' } });
    assert.ok(row.details.length < 10_000);
    assert.ok('truncated' in JSON.parse(row.details));
  });
});
