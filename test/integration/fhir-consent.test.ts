// Patient consent through FHIR, as a hospital system that already collects
// consent feeds it (Bearer API token, the real route handlers, SQLite or
// PostgreSQL): a second opinion for another facility's expert is refused
// without consent; the hospital POSTs a Consent, reads it back, finds it by the
// patient's ID; the case goes through and the expert finds the study with
// QIDO-RS; the hospital PUTs the Consent inactive and the expert's next QIDO
// finds nothing. Bad input is answered with an OperationOutcome naming the
// element and nothing is stored; another facility's caller gets 404. Every
// answer must validate as R4 (the `fhir` package).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, CapabilityStatement, Consent, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import * as consentInstance from '../../app/fhir/Consent/[id]/route';
import * as consentType from '../../app/fhir/Consent/route';
import { GET as metadataRoute } from '../../app/fhir/metadata/route';
import { POST as createServiceRequestRoute } from '../../app/fhir/ServiceRequest/route';
import { createApiToken, hashPassword } from '../../lib/auth';
import { recordConsent } from '../../lib/consent/record-consent';
import { isDomainError } from '../../lib/errors';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';
import { makePdf } from '../support/pdf';

const MRN = 'CONSENT-MRN-1';
const OTHER_MRN = 'CONSENT-MRN-2';
const ISSUER = 'urn:oid:1.2.840.99999.16';
const EXPERT = { email: 'expert@valley.example', password: 'valley expert password' };
const PURPOSES = 'urn:telepacs:consent-purpose';
const IRCP = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] };
const fhir = new Fhir();
const TERMINOLOGY_ONLY = /^Code "[^"]+" \((http:\/\/loinc\.org|http:\/\/terminology\.hl7\.org\/CodeSystem\/[A-Za-z0-9-]+|urn:telepacs:consent-purpose)\) not found in value set$/;

type IdRoute = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response> | Response;


describe('FHIR Consent: a hospital system feeds, reads and revokes patient consents', () => {
  let server: TestServer;
  const tokens = { his: '', outsider: '' };
  const ids = { facility: '', valley: '', expert: '', service: '', patientRef: '' };
  const studies = { current: '', currentId: '', prior: '', otherPatientId: '' };
  let consentId = '';

  function assertR4(resource: Resource, what: string): void {
    const validation = fhir.validate(resource);
    // The validator ships no terminology: value sets it cannot load are info, codes of example bindings "not found in value set"
    const problems = validation.messages?.filter((message) => !(message.severity === 'info' && /could not be found/.test(message.message ?? '')) && !TERMINOLOGY_ONLY.test(message.message ?? '')) ?? [];
    assert.deepEqual(problems, [], `${what}: valid R4`);
    assert.equal(validation.valid, true, `${what}: valid R4`);
  }

  async function answer<R extends Resource>(response: Response, what: string, status: number): Promise<R> {
    const body = await response.text();
    assert.equal(response.status, status, `${what}: status (${body.slice(0, 600)})`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/, what);
    const resource = JSON.parse(body) as R;
    assertR4(resource, what);
    return resource;
  }

  function request(path: string, token: string | null, init: { method?: string; body?: unknown } = {}): Request {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, 'x-forwarded-for': '10.16.0.1', accept: 'application/fhir+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/fhir+json';
    return new Request(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  }

  async function search(query: string, token: string, status = 200): Promise<Bundle<Consent>> {
    return answer<Bundle<Consent>>(await consentType.GET(request(`/fhir/Consent?${query}`, token)), `GET /fhir/Consent?${query}`, status);
  }

  async function read<R extends Resource = Consent>(id: string, token: string, status = 200): Promise<R> {
    return answer<R>(await consentInstance.GET(request(`/fhir/Consent/${id}`, token), { params: Promise.resolve({ id }) }), `GET /fhir/Consent/${id}`, status);
  }

  async function create<R extends Resource = Consent>(body: unknown, token: string, status = 201): Promise<{ resource: R; location: string | null }> {
    const response = await consentType.POST(request('/fhir/Consent', token, { method: 'POST', body }));
    return { resource: await answer<R>(response, 'POST /fhir/Consent', status), location: response.headers.get('location') };
  }

  async function put<R extends Resource = Consent>(id: string, body: unknown, token: string, status = 200): Promise<R> {
    return answer<R>(await consentInstance.PUT(request(`/fhir/Consent/${id}`, token, { method: 'PUT', body }), { params: Promise.resolve({ id }) }), `PUT /fhir/Consent/${id}`, status);
  }

  /** The Consent a hospital's consent module sends: the valley clinic may read the current study for a second opinion */
  function hisConsent(overrides: Record<string, unknown> = {}, provision: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { identifier: { system: ISSUER, value: MRN } },
      dateTime: '2026-12-07T08:00:00Z',
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: '2026-01-01T00:00:00Z', end: '2099-12-31T00:00:00Z' },
        actor: [{ role: IRCP, reference: { reference: `Organization/${ids.valley}` } }],
        purpose: [{ system: PURPOSES, code: 'SECOND_OPINION' }],
        data: [{ meaning: 'instance', reference: { reference: `ImagingStudy/${studies.currentId}` } }],
        ...provision,
      },
      ...overrides,
    };
  }

  function secondOpinion(): Record<string, unknown> {
    return {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { identifier: { system: ISSUER, value: MRN } },
      supportingInfo: [{ identifier: { system: 'urn:dicom:uid', value: `urn:oid:${studies.current}` } }],
      performer: [{ reference: `Practitioner/${ids.expert}` }],
      reasonCode: [{ text: 'Pulmonary nodule: follow-up or biopsy?' }],
    };
  }

  async function expertFinds(): Promise<string[]> {
    const response = await fetch(`${server.dicomwebUrl}/studies?PatientID=${MRN}`, { headers: { authorization: basicAuthHeader(EXPERT.email, EXPERT.password) } });
    if (response.status === 204) return [];
    assert.equal(response.status, 200);
    return ((await response.json()) as Record<string, { Value?: string[] }>[]).map((match) => match['0020000D'].Value?.[0] ?? '');
  }

  async function stow(options: { seed: string; date: string; patientId: string }): Promise<string> {
    const study = makeStudy({ patientId: options.patientId, issuerOfPatientId: ISSUER, patientName: 'Berg^Ingrid', studyDate: options.date, studyDescription: 'CT Chest', modality: 'CT', series: 1, instancesPerSeries: 1, seed: options.seed });
    const { body, contentType } = stowBody(study);
    const response = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { authorization: server.adminAuthorization, 'content-type': contentType }, body: new Uint8Array(body) });
    assert.equal(response.status, 200, await response.text());
    return study.studyInstanceUid;
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    const admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    ids.facility = (await db.membership.findFirstOrThrow({ where: { userId: admin } })).facilityId;
    const passwordHash = await hashPassword('consent test password');
    const clerk = await createUser(db, { email: 'consents@district.example', name: 'Consent Module', passwordHash, memberships: [{ facilityId: ids.facility, role: 'REFERRING' }] });
    const valley = await createFacility(db, 'Valley Clinic');
    ids.valley = valley.id;
    ids.expert = (await createUser(db, { email: EXPERT.email, name: 'Dr. Valley', passwordHash: await hashPassword(EXPERT.password), memberships: [{ facilityId: valley.id, role: 'EXPERT' }] })).id;
    ids.service = (await db.service.create({ data: { facilityId: valley.id, name: 'Thoracic imaging' } })).id;
    const other = await createFacility(db, 'Other Clinic');
    const outsider = await createUser(db, { email: 'outsider@other.example', passwordHash, memberships: [{ facilityId: other.id, role: 'REFERRING' }] });
    tokens.his = (await createApiToken(db, { userId: clerk.id, name: 'consent-module' })).token;
    tokens.outsider = (await createApiToken(db, { userId: outsider.id, name: 'other-his' })).token;

    studies.current = await stow({ seed: 'consent-current', date: '20261201', patientId: MRN });
    studies.prior = await stow({ seed: 'consent-prior', date: '20250601', patientId: MRN });
    await stow({ seed: 'consent-other', date: '20261202', patientId: OTHER_MRN });
    const current = await db.study.findFirstOrThrow({ where: { studyInstanceUid: studies.current }, select: { id: true, patientRef: true } });
    studies.currentId = current.id;
    ids.patientRef = current.patientRef;
    studies.otherPatientId = (await db.study.findFirstOrThrow({ where: { patient: { patientId: OTHER_MRN } } })).id;
  });
  after(async () => {
    await server?.stop();
  });

  it('lists Consent (create, read, update, search) in the CapabilityStatement', async () => {
    const statement = await answer<CapabilityStatement>(metadataRoute(request('/fhir/metadata', null)), 'metadata', 200);
    const entry = statement.rest?.[0].resource?.find((resource) => resource.type === 'Consent');
    assert.deepEqual(entry?.interaction?.map((interaction) => interaction.code), ['create', 'read', 'update', 'search-type']);
    assert.deepEqual(entry?.searchParam?.map((param) => param.name), ['patient.identifier', 'patient', 'status']);
  });

  it('refuses a second opinion without consent, records the Consent posted, reads and finds it, lets the case through; PUT inactive ends the grant at once', async () => {
    const db = server.node.db;
    // No consent: the share to another facility's expert is refused, nothing is sent
    const refused = await answer<OperationOutcome>(await createServiceRequestRoute(request('/fhir/ServiceRequest', tokens.his, { method: 'POST', body: secondOpinion() })), 'ServiceRequest without consent', 409);
    assert.match(refused.issue[0].diagnostics ?? '', /consent/i);
    assert.deepEqual(await expertFinds(), []);

    const { resource, location } = await create(hisConsent(), tokens.his);
    consentId = resource.id!;
    assert.equal(location, `${server.url}/fhir/Consent/${consentId}`);
    assert.equal(resource.status, 'active');
    assert.deepEqual(resource.scope.coding?.map((coding) => coding.code), ['patient-privacy']);
    assert.deepEqual(resource.category[0].coding?.[0], { system: 'http://loinc.org', code: '59284-0' });
    assert.equal(resource.patient?.reference, `Patient/${ids.patientRef}`);
    assert.deepEqual(resource.patient?.identifier, { use: 'usual', system: ISSUER, value: MRN });
    assert.equal(resource.organization?.[0].reference, `Organization/${ids.facility}`);
    assert.equal(resource.policyRule?.coding?.[0].code, 'OPTIN');
    assert.equal(resource.provision?.type, 'permit');
    assert.deepEqual(resource.provision?.period, { start: '2026-01-01T00:00:00.000Z', end: '2099-12-31T00:00:00.000Z' });
    assert.deepEqual(resource.provision?.actor?.map((actor) => [actor.role.coding?.[0].code, actor.reference.reference, actor.reference.display]), [['IRCP', `Organization/${ids.valley}`, 'Valley Clinic']]);
    assert.deepEqual(resource.provision?.purpose?.map((purpose) => [purpose.system, purpose.code]), [[PURPOSES, 'SECOND_OPINION']]);
    assert.deepEqual(resource.provision?.data?.map((data) => [data.meaning, data.reference.reference, data.reference.identifier?.value]), [['instance', `ImagingStudy/${studies.currentId}`, `urn:oid:${studies.current}`]]);
    assert.equal(resource.sourceAttachment, undefined, 'the hospital keeps its evidence: no document here');
    const row = await db.consent.findUniqueOrThrow({ where: { id: consentId } });
    assert.deepEqual([row.source, row.evidenceKind, row.decision, row.recipientKind, row.recipientFacilityId, row.dataScope, row.documentKey], ['FHIR', 'EXTERNAL', 'PERMIT', 'FACILITY', ids.valley, 'STUDIES', null]);
    assert.deepEqual(JSON.parse(row.studyUids), [studies.current]);

    assert.deepEqual(await read(consentId, tokens.his), resource, 'read back as created');
    for (const query of [`patient.identifier=${ISSUER}|${MRN}`, `patient.identifier=${MRN}`, `patient.identifier=${MRN}&status=active`, `patient=Patient/${ids.patientRef}`]) {
      const bundle = await search(query, tokens.his);
      assert.deepEqual([bundle.type, bundle.total, bundle.entry?.map((entry) => entry.resource?.id)], ['searchset', 1, [consentId]], query);
      assert.equal(bundle.entry?.[0].fullUrl, `${server.url}/fhir/Consent/${consentId}`);
    }
    assert.equal((await search(`patient.identifier=${MRN}&status=inactive,entered-in-error`, tokens.his)).total, 0);
    assert.equal((await search(`patient.identifier=${OTHER_MRN}`, tokens.his)).total, 0);

    // The case goes through on that consent; the expert finds the study it names, not the prior
    const sent = await createServiceRequestRoute(request('/fhir/ServiceRequest', tokens.his, { method: 'POST', body: secondOpinion() }));
    assert.equal(sent.status, 201, await sent.clone().text());
    const grant = await db.accessGrant.findFirstOrThrow({ where: { granteeUserId: ids.expert, studyInstanceUid: studies.current } });
    assert.deepEqual([grant.legalBasis, grant.consentId, grant.revokedAt], ['CONSENT', consentId, null]);
    assert.deepEqual(await expertFinds(), [studies.current]);

    // The patient revokes it at the hospital: the hospital puts the Consent back inactive, with the reason
    const revoked = await put(consentId, { ...resource, status: 'inactive', extension: [{ url: 'urn:telepacs:consent-revoke-reason', valueString: 'Patient withdrew consent at the front desk' }] }, tokens.his);
    assert.equal(revoked.status, 'inactive');
    assert.deepEqual(revoked.extension, [{ url: 'urn:telepacs:consent-revoke-reason', valueString: 'Patient withdrew consent at the front desk' }]);
    assert.deepEqual(revoked.provision, resource.provision);
    const ended = await db.accessGrant.findUniqueOrThrow({ where: { id: grant.id } });
    assert.ok(ended.revokedAt, 'the grant resting on it ended');
    assert.deepEqual(await expertFinds(), [], "the expert's next QIDO finds nothing");
    assert.equal((await read(consentId, tokens.his)).status, 'inactive');
    assert.deepEqual((await search(`patient.identifier=${MRN}&status=inactive`, tokens.his)).entry?.map((entry) => entry.resource?.id), [consentId]);

    // Already inactive: 409, nothing changes
    const again = await put<OperationOutcome>(consentId, { ...resource, status: 'entered-in-error' }, tokens.his, 409);
    assert.equal(again.issue[0].code, 'conflict');
    assert.match(again.issue[0].diagnostics ?? '', /inactive already/);
    assert.equal((await db.consent.findUniqueOrThrow({ where: { id: consentId } })).status, 'inactive');

    // Audited: by the domain (consent.record / consent.revoke) and as FHIR reads and searches
    const audit = await db.auditEvent.findMany({ where: { resource: `consents/${consentId}` }, select: { action: true, actor: true, patientId: true, details: true } });
    assert.deepEqual(audit.map((event) => event.action).sort(), ['consent.record', 'consent.revoke']);
    assert.ok(audit.every((event) => event.actor === 'token:consent-module' && event.patientId === MRN), JSON.stringify(audit));
    assert.equal((JSON.parse(audit.find((event) => event.action === 'consent.record')!.details) as { source?: string }).source, 'FHIR');
    let reads: { action: string; resource: string | null; patientId: string | null }[] = [];
    for (let attempt = 0; attempt < 50 && !(reads.some((event) => event.action === 'fhir.read') && reads.some((event) => event.action === 'fhir.search' && event.patientId === MRN)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reads = await db.auditEvent.findMany({ where: { action: { in: ['fhir.read', 'fhir.search'] }, resource: { in: [`GET /fhir/Consent/${consentId}`, 'GET /fhir/Consent'] } }, select: { action: true, resource: true, patientId: true } });
    }
    assert.ok(reads.some((event) => event.action === 'fhir.read' && event.patientId === MRN), 'the read');
    assert.ok(reads.some((event) => event.action === 'fhir.search' && event.patientId === MRN), 'the search');
  });

  it('answers bad input with an OperationOutcome naming the element, and stores nothing', async () => {
    const db = server.node.db;
    const cases: [string, unknown, number, string, RegExp][] = [
      ['not a Consent', { resourceType: 'ServiceRequest' }, 400, 'Consent', /send a Consent/],
      ['unknown patient', hisConsent({ patient: { identifier: { system: ISSUER, value: 'NOBODY-16' } } }), 422, 'Consent.patient', /No patient with this identifier in your facility/],
      ['unknown Patient/<id>', hisConsent({ patient: { reference: 'Patient/nope' } }), 422, 'Consent.patient', /No patient with this identifier in your facility/],
      ['period reversed', hisConsent({}, { period: { start: '2027-01-01', end: '2026-06-01' } }), 400, 'Consent.provision.period', /must end after it starts/],
      ['not a date', hisConsent({}, { period: { start: 'soon' } }), 400, 'Consent.provision.period.start', /dateTime/],
      ['unknown purpose code', hisConsent({}, { purpose: [{ system: PURPOSES, code: 'MARKETING' }] }), 400, 'Consent.provision.purpose[0]', /unknown purpose .*MARKETING/],
      ['no purpose', hisConsent({}, { purpose: [] }), 400, 'Consent.provision.purpose', /required/],
      ['draft', hisConsent({ status: 'draft' }), 422, 'Consent.status', /draft is not accepted.*Accepted: active/],
      ['proposed', hisConsent({ status: 'proposed' }), 422, 'Consent.status', /proposed is not accepted/],
      ['created inactive', hisConsent({ status: 'inactive' }), 422, 'Consent.status', /created active/],
      ['no status', hisConsent({ status: undefined }), 400, 'Consent.status', /required/],
      ['treatment scope', hisConsent({ scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] } }), 422, 'Consent.scope', /privacy/],
      ['no decision', hisConsent({}, { type: undefined }), 400, 'Consent.provision.type', /permit or deny/],
      ['policyRule disagrees', hisConsent({}, { type: 'deny' }), 400, 'Consent.policyRule', /OPTIN but provision.type is deny/],
      ['not a recipient role', hisConsent({}, { actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] }, reference: { reference: `Organization/${ids.valley}` } }] }), 400, 'Consent.provision.actor[0].role', /IRCP/],
      ['two recipients', hisConsent({}, { actor: [{ role: IRCP, reference: { reference: `Organization/${ids.valley}` } }, { role: IRCP, reference: { reference: `Practitioner/${ids.expert}` } }] }), 400, 'Consent.provision.actor', /one recipient/],
      ['a Device recipient', hisConsent({}, { actor: [{ role: IRCP, reference: { reference: 'Device/1' } }] }), 400, 'Consent.provision.actor[0].reference', /Organization/],
      ['unknown facility', hisConsent({}, { actor: [{ role: IRCP, reference: { reference: 'Organization/nowhere' } }] }), 422, 'Consent.provision.actor[0].reference', /not on this node/],
      ['another patient\'s study', hisConsent({}, { data: [{ meaning: 'instance', reference: { reference: `ImagingStudy/${studies.otherPatientId}` } }] }), 422, 'Consent.provision.data[0]', /not a study of this patient/],
      ['an unknown UID', hisConsent({}, { data: [{ meaning: 'instance', reference: { identifier: { system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.4.5' } } }] }), 422, 'Consent.provision.data[0]', /urn:oid:1\.2\.3\.4\.5 is not a study of this patient/],
      ['an exception', hisConsent({}, { provision: [{ type: 'deny' }] }), 400, 'Consent.provision.provision', /not supported/],
      ['a scan that is not a PDF or JPEG', hisConsent({ sourceAttachment: { contentType: 'text/plain', data: Buffer.from('I agree').toString('base64') } }), 400, 'Consent.sourceAttachment.contentType', /application\/pdf or image\/jpeg/],
      ['a "PDF" that is not one', hisConsent({ sourceAttachment: { contentType: 'application/pdf', data: Buffer.from('I agree, signed').toString('base64') } }), 400, 'Consent.sourceAttachment.data', /PDF or JPEG/],
    ];
    const before = await db.consent.count();
    for (const [what, body, status, expression, diagnostics] of cases) {
      const { resource } = await create<OperationOutcome>(body, tokens.his, status);
      assert.equal(resource.issue[0].code, status === 422 ? 'business-rule' : 'invalid', what);
      assert.deepEqual(resource.issue[0].expression, [expression], what);
      assert.match(resource.issue[0].diagnostics ?? '', diagnostics, what);
    }
    // Another facility's caller does not know the patient: the same answer as for nobody
    const outsider = await create<OperationOutcome>(hisConsent(), tokens.outsider, 422);
    assert.match(outsider.resource.issue[0].diagnostics ?? '', /No patient with this identifier in your facility/);
    assert.equal(await db.consent.count(), before, 'nothing was stored');

    // A PUT may change the status only
    const { resource: stored } = await create(hisConsent(), tokens.his);
    const changes: [string, Record<string, unknown>, string][] = [
      ['type', { provision: { ...stored.provision, type: 'deny' }, policyRule: undefined }, 'Consent.provision.type'],
      ['purpose', { provision: { ...stored.provision, purpose: [{ system: PURPOSES, code: 'RESEARCH' }] } }, 'Consent.provision.purpose'],
      ['period', { provision: { ...stored.provision, period: { start: '2026-01-01T00:00:00Z' } } }, 'Consent.provision.period'],
      ['actor', { provision: { ...stored.provision, actor: undefined } }, 'Consent.provision.actor'],
      ['data', { provision: { ...stored.provision, data: undefined } }, 'Consent.provision.data'],
    ];
    for (const [what, change, expression] of changes) {
      const outcome = await put<OperationOutcome>(stored.id!, { ...stored, ...change, status: 'inactive' }, tokens.his, 422);
      assert.deepEqual([outcome.issue[0].code, outcome.issue[0].expression], ['business-rule', [expression]], what);
      assert.match(outcome.issue[0].diagnostics ?? '', /terms do not change/, what);
    }
    assert.equal((await put<OperationOutcome>(stored.id!, { ...stored, id: 'another', status: 'inactive' }, tokens.his, 400)).issue[0].expression?.[0], 'Consent.id');
    assert.equal((await put<OperationOutcome>(stored.id!, { ...stored, status: 'rejected' }, tokens.his, 422)).issue[0].expression?.[0], 'Consent.status');
    assert.equal((await db.consent.findUniqueOrThrow({ where: { id: stored.id } })).status, 'active', 'still active');
    assert.equal((await put(stored.id!, stored, tokens.his)).status, 'active', 'put back unchanged: nothing changes');
    assert.equal((await put(stored.id!, { ...stored, status: 'entered-in-error' }, tokens.his)).status, 'entered-in-error');
  });

  it('answers another facility\'s caller 404 for the consent and an empty search', async () => {
    for (const id of [consentId, 'no-such-consent']) {
      assert.equal((await read<OperationOutcome>(id, tokens.outsider, 404)).issue[0].code, 'not-found');
    }
    const before = await server.node.db.consent.findUniqueOrThrow({ where: { id: consentId }, select: { updatedAt: true } });
    const outcome = await put<OperationOutcome>(consentId, hisConsent({ id: consentId, status: 'entered-in-error' }), tokens.outsider, 404);
    assert.equal(outcome.issue[0].code, 'not-found');
    assert.deepEqual(await server.node.db.consent.findUniqueOrThrow({ where: { id: consentId }, select: { updatedAt: true } }), before);
    assert.equal((await search(`patient.identifier=${ISSUER}|${MRN}`, tokens.outsider)).total, 0);
    assert.equal((await search(`patient=Patient/${ids.patientRef}`, tokens.outsider)).total, 0);
    // Searches it does not understand
    for (const query of ['status=active', 'patient.identifier=x&status=draft', 'patient.identifier=x&category=y']) {
      assert.equal((await search(query, tokens.his, 400) as unknown as OperationOutcome).issue[0].code, 'invalid', query);
    }
  });

  it('keeps a scanned form sent inline as the evidence, takes v3-ActReason purposes and a service by identifier; a deny without actor covers the region', async () => {
    const db = server.node.db;
    const pdf = await makePdf('I, Ingrid Berg, agree that my images may be shared with the thoracic imaging service.');
    const { resource } = await create(hisConsent({ sourceAttachment: { contentType: 'application/pdf', data: pdf.toString('base64'), title: 'consent-form.pdf' } }, {
      actor: [{ role: IRCP, reference: { identifier: { system: 'urn:telepacs:healthcare-service', value: ids.service } } }],
      purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
      data: undefined,
    }), tokens.his);
    assert.deepEqual(resource.provision?.actor?.[0].reference, { identifier: { system: 'urn:telepacs:healthcare-service', value: ids.service }, display: 'Thoracic imaging, Valley Clinic' });
    assert.deepEqual(resource.provision?.purpose?.map((purpose) => purpose.code), ['SECOND_OPINION', 'TELECONSULTATION', 'TRANSFER']);
    assert.equal(resource.provision?.data, undefined, 'all imaging');
    assert.deepEqual(resource.sourceAttachment, { contentType: 'application/pdf', url: `${server.url}/api/consents/${resource.id}/document`, title: 'Consent evidence (scanned)' });
    const row = await db.consent.findUniqueOrThrow({ where: { id: resource.id } });
    assert.deepEqual([row.evidenceKind, row.recipientKind, row.recipientServiceId, row.dataScope], ['SCANNED', 'SERVICE', ids.service, 'ALL']);
    assert.ok((await server.node.archive.store.get(row.documentKey!)).equals(pdf), 'the PDF kept byte for byte');

    const { resource: deny } = await create(hisConsent({ policyRule: undefined }, { type: 'deny', actor: undefined, data: undefined, purpose: [{ system: PURPOSES, code: 'RESEARCH' }] }), tokens.his);
    assert.deepEqual([deny.provision?.type, deny.provision?.actor, deny.policyRule?.coding?.[0].code], ['deny', undefined, 'OPTOUT']);
    assert.equal((await db.consent.findUniqueOrThrow({ where: { id: deny.id } })).recipientKind, 'REGION');

    // EXTERNAL evidence is the hospital system's alone: the portal records its own
    const clerk = await db.user.findUniqueOrThrow({ where: { email: 'consents@district.example' } });
    await assert.rejects(
      recordConsent(server.node.runtime, { userId: clerk.id, email: clerk.email, ip: '10.16.0.2' }, ids.patientRef, { decision: 'PERMIT', recipient: { kind: 'REGION' }, purposes: ['SECOND_OPINION'], data: { scope: 'ALL' }, evidence: { kind: 'EXTERNAL' } }),
      (error: unknown) => isDomainError(error) && error.code === 'INVALID_INPUT',
    );
  });

  it('answers changes it does not take with 405 and Allow', async () => {
    const cases: [IdRoute, string, string][] = [
      [consentType.PUT as IdRoute, 'PUT', 'GET, HEAD, POST'],
      [consentType.DELETE as IdRoute, 'DELETE', 'GET, HEAD, POST'],
      [consentInstance.POST as IdRoute, 'POST', 'GET, HEAD, PUT'],
      [consentInstance.DELETE as IdRoute, 'DELETE', 'GET, HEAD, PUT'],
    ];
    for (const [handler, method, allow] of cases) {
      const response = await handler(request('/fhir/Consent/x', tokens.his, { method }), { params: Promise.resolve({ id: 'x' }) });
      assert.equal(response.headers.get('allow'), allow, method);
      assert.equal((await answer<OperationOutcome>(response, method, 405)).issue[0].code, 'not-supported');
    }
  });
});
