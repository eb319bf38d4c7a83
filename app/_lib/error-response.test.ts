// The one mapper from expected errors to HTTP: each family member answers
// with its status and the `{error, message, fields?}` body the README
// documents; an archive error keeps its code; anything else is a logged 500
// that names no internals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdminError } from '../../lib/admin/errors';
import { GuestLinkError } from '../../lib/consult/guest-links';
import { DOMAIN_ERROR_STATUS, DomainError } from '../../lib/errors';
import { PolicyError } from '../../lib/policy';
import { ArchiveError } from '../../pacs-core/errors';
import type { Logger } from '../../pacs-core/logger';
import { tmpdir } from 'node:os';
import { createDatabase } from '../../prisma/database';
import { freePort } from '../../test/support/dcmtk';
import { DATABASE_AWAY_MESSAGE, GENERIC_FAILURE_MESSAGE, errorResponse } from './error-response';

function recordingLogger(): Logger & { errors: { message: string; fields: Record<string, unknown> | undefined }[] } {
  const errors: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  return { errors, info() {}, warn() {}, error: (message: string, fields?: Record<string, unknown>) => errors.push({ message, fields }) };
}

async function answer(error: unknown, logger: Logger = recordingLogger()) {
  const response = errorResponse(error, 'test operation', logger);
  return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
}

describe('errorResponse', () => {
  it('answers an outsider the same 404 whatever the policy logged', async () => {
    assert.deepEqual(await answer(new PolicyError('NOT_FOUND', 'study 1.2.3 is in another facility')).then(({ status, body }) => [status, body]), [
      404,
      { error: 'NOT_FOUND', message: 'Not found.' },
    ]);
  });

  it('tells a member who may not do this what the rule is (403)', async () => {
    const { status, body } = await answer(new PolicyError('FORBIDDEN', 'only an administrator of this facility may do this'));
    assert.deepEqual([status, body], [403, { error: 'FORBIDDEN', message: 'Only an administrator of this facility may do this.' }]);
  });

  it('names each wrong form field (400 INVALID_INPUT), and answers the admin forms with fields even when empty', async () => {
    const invalid = await answer(new AdminError('INVALID_INPUT', 'Some fields need attention.', { email: 'Not an e-mail address' }));
    assert.deepEqual([invalid.status, invalid.body], [400, { error: 'INVALID_INPUT', message: 'Some fields need attention.', fields: { email: 'Not an e-mail address' } }]);
    const conflict = await answer(new AdminError('CONFLICT', 'This AE title is taken.'));
    assert.deepEqual([conflict.status, conflict.body], [409, { error: 'CONFLICT', message: 'This AE title is taken.', fields: {} }]);
  });

  it('answers a used-up one-time link 410 and an unknown one 404', async () => {
    assert.equal((await answer(new GuestLinkError('EXPIRED'))).status, 410);
    assert.equal((await answer(new GuestLinkError('REVOKED'))).status, 410);
    const unknown = await answer(new GuestLinkError('INVALID'));
    assert.deepEqual([unknown.status, (unknown.body as { error: string }).error], [404, 'LINK_INVALID']);
  });

  it('shows the user message, not the log message, and sends Retry-After when rate limited', async () => {
    const { status, body, headers } = await answer(new DomainError('RATE_LIMITED', 'user 42 over the limit', { userMessage: 'Too many attempts. Try again in 5 minutes.', retryAfterSeconds: 300 }));
    assert.deepEqual([status, body, headers.get('retry-after')], [429, { error: 'RATE_LIMITED', message: 'Too many attempts. Try again in 5 minutes.' }, '300']);
  });

  it('maps every domain code to a client or server status', () => {
    for (const [code, status] of Object.entries(DOMAIN_ERROR_STATUS)) assert.ok(status >= 400 && status <= 599, `${code} → ${status}`);
  });

  it("answers an archive error with the archive's own status and code", async () => {
    const { status, body } = await answer(new ArchiveError('PAYLOAD_TOO_LARGE', 'the request is larger than the limit of 4096 MiB'));
    assert.deepEqual([status, body], [413, { error: 'PAYLOAD_TOO_LARGE', message: 'the request is larger than the limit of 4096 MiB' }]);
  });

  it('turns anything else into a generic 500, logged with the request id it answers', async () => {
    const logger = recordingLogger();
    const { status, body, headers } = await answer(new TypeError("Cannot read properties of undefined (reading 'facilityId')"), logger);
    assert.deepEqual([status, body], [500, { error: 'UNAVAILABLE', message: GENERIC_FAILURE_MESSAGE }]);
    const requestId = headers.get('x-request-id');
    assert.ok(requestId);
    assert.equal(logger.errors.length, 1);
    assert.equal(logger.errors[0].fields?.requestId, requestId);
    assert.match(String(logger.errors[0].fields?.error), /reading 'facilityId'/);
    // An internal archive error is a bug too: no internals in the answer
    assert.equal((await answer(new ArchiveError('INTERNAL', 'index row missing for blob 7f3a'))).status, 500);
  });

  it('answers a database that cannot be reached with 503 and Retry-After, so that a client tries again', async () => {
    // A real refusal: nothing listens on that port
    const db = createDatabase({ databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/telepacs`, dataDir: tmpdir() });
    const refused = await db.user.findFirst().then(() => assert.fail('expected a failure'), (error: unknown) => error);
    await db.$disconnect();
    const { status, body, headers } = await answer(refused);
    assert.deepEqual([status, body, headers.get('retry-after')], [503, { error: 'UNAVAILABLE', message: DATABASE_AWAY_MESSAGE }, '5']);
  });
});
