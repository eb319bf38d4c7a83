// A facility's consent forms and its "what needs consent" rules (issue 16), on a
// running node (SQLite, or PostgreSQL with TEST_DATABASE=postgres), through the
// API routes as the admin page calls them: the shipped form is seeded once per
// facility (even by two first uses at once), a new wording is the next version
// and the old one stays readable by id (signed consents point at it), only the
// facility's admin publishes or retires (anyone else 404, as every admin API), a wrong
// field is named, of two publishes from the same version one gets CONFLICT; the
// rules round-trip and a real grant honours them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as listMemberFormsRoute } from '../../app/api/facilities/[facilityId]/consent-forms/route';
import { GET as listAdminFormsRoute, POST as publishRoute } from '../../app/api/admin/facilities/[facilityId]/consent-forms/route';
import { POST as retireRoute } from '../../app/api/admin/facilities/[facilityId]/consent-forms/[formId]/retire/route';
import { GET as getRulesRoute, PUT as putRulesRoute } from '../../app/api/admin/facilities/[facilityId]/consent-rules/route';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { getConsentFormForSigning } from '../../lib/consent/forms/consent-form-for-signing';
import { DEFAULT_CONSENT_FORMS, DEFAULT_CONSENT_FORM_KEY, ensureDefaultConsentForms } from '../../lib/consent/forms/default-consent-form';
import { publishConsentForm } from '../../lib/consent/forms/publish-consent-form';
import { grantStudyRead } from '../../lib/grants';
import { isDomainError } from '../../lib/errors';
import { isConsentRequiredError } from '../../lib/policy/share-basis';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

type FormJson = { id: string; key: string; language: string; version: number; title: string; body: string; retired: boolean; createdById: string | null };

describe('consent forms and rules of a facility', () => {
  let server: TestServer;
  let facilityId = '';
  let hillId = '';
  const users = { admin: '', member: '', outsider: '' };
  const admin = () => ({ userId: users.admin, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' });
  const study = makeStudy({ patientId: 'CONSENT-FORMS-1', patientName: 'Form^Fatou', series: 1, instancesPerSeries: 1, seed: 'consent-forms' });

  /** A same-origin request with the user's session cookie, as the page's fetch sends it. */
  async function requestAs(method: 'GET' | 'POST' | 'PUT', path: string, userId: string, body?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    return new Request(url, {
      method,
      headers: { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  const facility = (id = facilityId) => ({ params: Promise.resolve({ facilityId: id }) });
  const adminFormsUrl = () => `/api/admin/facilities/${facilityId}/consent-forms`;
  const publish = async (userId: string, body: unknown) => publishRoute(await requestAs('POST', adminFormsUrl(), userId, body), facility());
  const memberForms = async (userId: string, id = facilityId) => listMemberFormsRoute(await requestAs('GET', `/api/facilities/${id}/consent-forms`, userId), facility(id));
  const adminForms = async (userId: string) => listAdminFormsRoute(await requestAs('GET', adminFormsUrl(), userId), facility());
  const retire = async (userId: string, formId: string) =>
    retireRoute(await requestAs('POST', `${adminFormsUrl()}/${formId}/retire`, userId), { params: Promise.resolve({ facilityId, formId }) });
  const rulesUrl = () => `/api/admin/facilities/${facilityId}/consent-rules`;
  const getRules = async (userId: string) => getRulesRoute(await requestAs('GET', rulesUrl(), userId), facility());
  const putRules = async (userId: string, body: unknown) => putRulesRoute(await requestAs('PUT', rulesUrl(), userId, body), facility());
  const current = async () => ((await (await memberForms(users.member)).json()) as { forms: FormJson[] }).forms;
  const described = (forms: FormJson[]) => forms.map((form) => `${form.key}/${form.language}/v${form.version}`);

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    users.admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = server.node.firstRun.facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'consent-forms-test' }, facilityId);
    users.member = (await createUser(db, { email: 'clinician@forms.example', memberships: [{ facilityId, role: 'REFERRING' }] })).id;
    const hill = await createFacility(db, 'Hill Clinic');
    hillId = hill.id;
    users.outsider = (await createUser(db, { email: 'expert@hill.example', memberships: [{ facilityId: hill.id, role: 'EXPERT' }] })).id;
  });

  after(async () => {
    await server?.stop();
  });

  it('seeds the shipped form once per facility, in English and French, even when two first uses race', async () => {
    const db = server.node.db;
    const fresh = await createFacility(db, 'Fresh Clinic');
    const written = await Promise.all([ensureDefaultConsentForms(db, fresh.id), ensureDefaultConsentForms(db, fresh.id)]);
    assert.equal(written[0] + written[1], 2, 'two rows in all, whichever first use wrote them');
    assert.equal(await ensureDefaultConsentForms(db, fresh.id), 0, 'a later use writes nothing');
    const rows = await db.consentForm.findMany({ where: { facilityId: fresh.id }, orderBy: { language: 'asc' } });
    assert.deepEqual(
      rows.map((row) => [row.key, row.language, row.version, row.createdById, row.retiredAt]),
      [
        [DEFAULT_CONSENT_FORM_KEY, 'en', 1, null, null],
        [DEFAULT_CONSENT_FORM_KEY, 'fr', 1, null, null],
      ],
    );
    // The text says what, with whom, for what, that refusing changes nothing in the care, and how long
    const english = rows[0].body;
    for (const words of ['medical images', 'reports', 'recipient named on this form', 'purpose named on this form', 'changes nothing in the care', 'withdraw this consent at any time', 'How long']) {
      assert.ok(english.includes(words), `the English text says "${words}"`);
    }
    assert.ok(rows[1].body.includes('retirer ce consentement à tout moment'), 'the French text says it may be revoked');

    // The node's first facility: seeded by the first read of its forms
    assert.equal(await db.consentForm.count({ where: { facilityId } }), 0);
    assert.deepEqual(described(await current()), [`${DEFAULT_CONSENT_FORM_KEY}/en/v1`, `${DEFAULT_CONSENT_FORM_KEY}/fr/v1`]);
    assert.deepEqual((await current()).map((form) => form.title), DEFAULT_CONSENT_FORMS.map((form) => form.title));
    assert.equal(await db.consentForm.count({ where: { facilityId } }), 2);
  });

  it('publishes a new wording as the next version; the old version stays readable by id', async () => {
    const db = server.node.db;
    const before = (await current()).find((form) => form.language === 'en')!;
    const response = await publish(users.admin, { key: DEFAULT_CONSENT_FORM_KEY, language: 'en', title: 'Sharing my images', body: 'Version two.\nWith two lines.', baseVersion: 1 });
    assert.equal(response.status, 201);
    const { form } = (await response.json()) as { form: FormJson };
    assert.deepEqual([form.key, form.language, form.version, form.title, form.body, form.createdById, form.retired], [DEFAULT_CONSENT_FORM_KEY, 'en', 2, 'Sharing my images', 'Version two.\nWith two lines.', users.admin, false]);
    assert.deepEqual(described(await current()), [`${DEFAULT_CONSENT_FORM_KEY}/en/v2`, `${DEFAULT_CONSENT_FORM_KEY}/fr/v1`]);

    // A consent signed on version 1 still shows its words
    const old = await getConsentFormForSigning(db, { userId: users.member }, facilityId, before.id);
    assert.deepEqual([old.version, old.body, old.current], [1, before.body, false]);
    const latest = await getConsentFormForSigning(db, { userId: users.member }, facilityId, form.id);
    assert.deepEqual([latest.version, latest.current], [2, true]);

    // A new key or language starts at version 1 (without baseVersion: the next after the latest)
    const other = (await (await publish(users.admin, { key: 'research-use', language: 'pt-BR', title: 'Pesquisa', body: 'Texto.' })).json()) as { form: FormJson };
    assert.equal(other.form.version, 1);

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'consent.form.create', resource: `consent-form:${form.id}` } });
    assert.equal(audit.actorUserId, users.admin);
    assert.deepEqual(JSON.parse(audit.details), { key: DEFAULT_CONSENT_FORM_KEY, language: 'en', version: 2, title: 'Sharing my images' });

    // The admin's list has every version, newest first per key and language
    const listed = (await (await adminForms(users.admin)).json()) as { forms: FormJson[]; history: FormJson[] };
    assert.deepEqual(described(listed.history), [`${DEFAULT_CONSENT_FORM_KEY}/en/v2`, `${DEFAULT_CONSENT_FORM_KEY}/en/v1`, `${DEFAULT_CONSENT_FORM_KEY}/fr/v1`, 'research-use/pt-BR/v1']);
  });

  it('lets only the facility admin publish or retire (a member and an outsider 404, as every admin API); members read the forms, outsiders nothing', async () => {
    const db = server.node.db;
    const valid = { key: DEFAULT_CONSENT_FORM_KEY, language: 'fr', title: 'Titre', body: 'Texte.' };
    const count = await db.consentForm.count();
    const byMember = await publish(users.member, valid);
    assert.equal(byMember.status, 404);
    assert.equal(((await byMember.json()) as { error: string }).error, 'NOT_FOUND');
    const byOutsider = await publish(users.outsider, valid);
    assert.equal(byOutsider.status, 404);
    assert.deepEqual(await byOutsider.json(), { error: 'NOT_FOUND', message: 'Not found.' });
    const french = (await current()).find((form) => form.language === 'fr')!;
    assert.equal((await retire(users.member, french.id)).status, 404);
    assert.equal((await retire(users.outsider, french.id)).status, 404);
    assert.equal((await adminForms(users.member)).status, 404, 'the history is the admin page');
    assert.equal(await db.consentForm.count(), count, 'nothing written');
    assert.equal(await db.consentForm.count({ where: { retiredAt: { not: null } } }), 0, 'nothing retired');

    assert.equal((await memberForms(users.member)).status, 200);
    assert.equal((await memberForms(users.outsider)).status, 404);
    await assert.rejects(getConsentFormForSigning(db, { userId: users.outsider }, facilityId, french.id), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
    // A form of another facility, asked through one's own: not found either
    const hillForms = ((await (await memberForms(users.outsider, hillId)).json()) as { forms: FormJson[] }).forms;
    await assert.rejects(getConsentFormForSigning(db, { userId: users.member }, facilityId, hillForms[0].id), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
    await assert.rejects(getConsentFormForSigning(db, { userId: users.member }, hillId, hillForms[0].id), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
  });

  it('names each wrong field', async () => {
    const response = await publish(users.admin, { key: 'Imaging Sharing', language: 'english', title: ' ', body: '   ' });
    assert.equal(response.status, 400);
    const answer = (await response.json()) as { error: string; fields: Record<string, string> };
    assert.equal(answer.error, 'INVALID_INPUT');
    assert.deepEqual(answer.fields, {
      key: 'A key is 1 to 40 lower-case letters, digits and hyphens, e.g. imaging-sharing',
      language: 'A language is a tag such as en, fr or pt-BR',
      title: 'Give the form a title',
      body: 'Write the text the patient reads',
    });
    const long = (await (await publish(users.admin, { key: 'k'.repeat(41), language: 'en', title: 't'.repeat(201), body: 'b'.repeat(20_001) })).json()) as { fields: Record<string, string> };
    assert.deepEqual(Object.keys(long.fields).sort(), ['body', 'key', 'title']);
    assert.equal(long.fields.title, 'A title is at most 200 characters');
    assert.equal(long.fields.body, 'The text is at most 20,000 characters');
    const missing = (await (await publish(users.admin, {})).json()) as { fields: Record<string, string> };
    assert.deepEqual(Object.keys(missing.fields).sort(), ['body', 'key', 'language', 'title']);
    // At the limits: accepted
    assert.equal((await publish(users.admin, { key: 'k'.repeat(40), language: 'zh-Hant-TW', title: 't'.repeat(200), body: 'b'.repeat(20_000) })).status, 201);
  });

  it('lets one of two publishes from the same version win; the other gets CONFLICT and nothing is stored', async () => {
    const db = server.node.db;
    const french = (await current()).find((form) => form.key === DEFAULT_CONSENT_FORM_KEY && form.language === 'fr')!;
    const attempts = await Promise.allSettled(
      ['Première', 'Seconde'].map((title) => publishConsentForm(server.node, admin(), facilityId, { key: DEFAULT_CONSENT_FORM_KEY, language: 'fr', title, body: `${title} rédaction.`, baseVersion: french.version })),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const lost = attempts.filter((attempt) => attempt.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    const error: unknown = lost[0].reason;
    assert.ok(isDomainError(error) && error.code === 'CONFLICT', String(error));
    assert.match(error.userMessage, /^Someone else published (version 2|a new version) of imaging-sharing \(fr\) meanwhile, so yours was not saved\. Reload the page/);
    const versions = await db.consentForm.findMany({ where: { facilityId, key: DEFAULT_CONSENT_FORM_KEY, language: 'fr' }, orderBy: { version: 'asc' } });
    assert.deepEqual(versions.map((row) => row.version), [1, 2]);
    assert.equal(await db.auditEvent.count({ where: { action: 'consent.form.create', details: { contains: '"language":"fr"' } } }), 1, 'one audit row: the winner');

    // Through the route: an editor still showing version 1 gets 409 with the message
    const stale = await publish(users.admin, { key: DEFAULT_CONSENT_FORM_KEY, language: 'fr', title: 'Ancienne base', body: 'Texte.', baseVersion: 1 });
    assert.equal(stale.status, 409);
    assert.equal(((await stale.json()) as { error: string }).error, 'CONFLICT');
  });

  it('retires a form: no longer offered in that language, still readable by id, published again as the next version', async () => {
    const db = server.node.db;
    const english = (await current()).find((form) => form.key === DEFAULT_CONSENT_FORM_KEY && form.language === 'en')!;
    assert.equal(english.version, 2);
    const response = await retire(users.admin, english.id);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { form: FormJson }).form.retired, true);
    assert.ok(!described(await current()).some((name) => name.startsWith(`${DEFAULT_CONSENT_FORM_KEY}/en/`)), 'neither version 2 nor version 1 comes back');
    const kept = await getConsentFormForSigning(db, { userId: users.member }, facilityId, english.id);
    assert.deepEqual([kept.retired, kept.current, kept.title], [true, false, 'Sharing my images']);
    assert.equal((await retire(users.admin, english.id)).status, 200, 'retiring it again changes nothing');
    assert.equal(await db.auditEvent.count({ where: { action: 'consent.form.retire', resource: `consent-form:${english.id}` } }), 1);

    const again = (await (await publish(users.admin, { key: DEFAULT_CONSENT_FORM_KEY, language: 'en', title: 'Back', body: 'Again.', baseVersion: 2 })).json()) as { form: FormJson };
    assert.equal(again.form.version, 3);
    assert.ok(described(await current()).includes(`${DEFAULT_CONSENT_FORM_KEY}/en/v3`));
  });

  it('round-trips the rules for the admin only, and refuses an unknown purpose by name', async () => {
    const db = server.node.db;
    assert.deepEqual(await (await getRules(users.admin)).json(), { requiredFor: ['SECOND_OPINION', 'TELECONSULTATION', 'EMERGENCY_CARE', 'TRANSFER', 'RESEARCH'] });
    assert.equal((await getRules(users.member)).status, 404);
    assert.equal((await getRules(users.outsider)).status, 404);
    assert.equal((await putRules(users.member, { requiredFor: [] })).status, 404);
    assert.equal((await putRules(users.outsider, { requiredFor: [] })).status, 404);

    const wrong = await putRules(users.admin, { requiredFor: ['SECOND_OPINION', 'GOSSIP'] });
    assert.equal(wrong.status, 400);
    assert.ok(((await wrong.json()) as { fields: Record<string, string> }).fields.requiredFor);

    const saved = await putRules(users.admin, { requiredFor: ['RESEARCH', 'SECOND_OPINION', 'EMERGENCY_CARE', 'TRANSFER'] });
    assert.equal(saved.status, 200);
    const expected = { requiredFor: ['SECOND_OPINION', 'EMERGENCY_CARE', 'TRANSFER', 'RESEARCH'] };
    assert.deepEqual(await saved.json(), expected);
    assert.deepEqual(await (await getRules(users.admin)).json(), expected);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'consent.rules' }, orderBy: { at: 'desc' } });
    assert.deepEqual(JSON.parse(audit.details), expected);
  });

  it('honours the rules: teleconsultation outside the facility needs nothing, a second opinion still needs consent', async () => {
    const db = server.node.db;
    const row = await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: study.studyInstanceUid } } });
    const copy = { id: row.id, facilityId: row.facilityId, studyInstanceUid: row.studyInstanceUid };
    const grantee = { userId: users.outsider };

    const teleconsultation = await db.$transaction((tx) => grantStudyRead(tx, { grantee, study: copy, purpose: 'TELECONSULTATION', grantedById: users.admin }));
    const grant = await db.accessGrant.findUniqueOrThrow({ where: { id: teleconsultation.id } });
    assert.deepEqual([grant.granteeUserId, grant.purpose, grant.legalBasis, grant.consentId, grant.overrideId], [users.outsider, 'TELECONSULTATION', 'NOT_REQUIRED', null, null]);

    const grants = await db.accessGrant.count();
    await assert.rejects(
      db.$transaction((tx) => grantStudyRead(tx, { grantee, study: copy, purpose: 'REFERRAL', grantedById: users.admin })),
      (error) => isConsentRequiredError(error) && error.shortfall.purpose === 'SECOND_OPINION' && !error.shortfall.denied,
    );
    assert.equal(await db.accessGrant.count(), grants, 'the refused share wrote no grant');

    // Ticked again: the teleconsultation needs consent too
    assert.equal((await putRules(users.admin, { requiredFor: ['SECOND_OPINION', 'TELECONSULTATION'] })).status, 200);
    await assert.rejects(
      db.$transaction((tx) => grantStudyRead(tx, { grantee, study: copy, purpose: 'TELECONSULTATION', grantedById: users.admin })),
      (error) => isConsentRequiredError(error) && error.shortfall.purpose === 'TELECONSULTATION',
    );
  });
});
