// Second-opinion cases through FHIR, as a hospital system uses them (Bearer
// API token, the real route handlers): POST a ServiceRequest, find it by the
// patient's ID, follow its Task from the service's queue to the expert who
// takes it, to completion with the DiagnosticReport and to closure. Outsiders
// — another facility, and a colleague outside the addressed service — see
// nothing. Every answer must validate as R4 (the `fhir` package).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, CapabilityStatement, DiagnosticReport, HealthcareService, OperationOutcome, Practitioner, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import { GET as readReportRoute } from '../../app/fhir/DiagnosticReport/[id]/route';
import { GET as searchServicesRoute } from '../../app/fhir/HealthcareService/route';
import { GET as searchPractitionersRoute } from '../../app/fhir/Practitioner/route';
import { GET as metadataRoute } from '../../app/fhir/metadata/route';
import { GET as readServiceRequestRoute } from '../../app/fhir/ServiceRequest/[id]/route';
import { GET as searchServiceRequestsRoute, POST as createServiceRequestRoute } from '../../app/fhir/ServiceRequest/route';
import { GET as readTaskRoute } from '../../app/fhir/Task/[id]/route';
import { GET as searchTasksRoute } from '../../app/fhir/Task/route';
import { createApiToken, hashPassword } from '../../lib/auth';
import type { Principal } from '../../lib/policy/principal';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { createReport } from '../../lib/reports/create-report';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { signedArtifactsProducer } from '../../lib/reports/signed-artifacts';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'fhir referral test password';
const MRN = 'SO-MRN-7';
const ISSUER = 'urn:oid:1.2.840.99999.15';
const OTHER_MRN = 'SO-MRN-8';
const fhir = new Fhir();
const TERMINOLOGY_ONLY = /^Code "[^"]+" \((http:\/\/loinc\.org|http:\/\/terminology\.hl7\.org\/CodeSystem\/v2-0074|http:\/\/dicom\.nema\.org\/resources\/ontology\/DCM)\) not found in value set$/;

type Route = (request: Request) => Promise<Response> | Response;
type IdRoute = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

describe('FHIR second-opinion cases (ServiceRequest, Task)', () => {
  let server: TestServer;
  const tokens = { his: '', expert: '', colleague: '', insider: '', outsider: '' };
  const users = { referrer: '', expert: '', colleague: '' };
  const studies = { current: '', prior: '', priorId: '', otherPatient: '' };
  let serviceId = '';
  let caseId = '';
  let draftId = '';
  let expertPrincipal: Principal;
  let referrerPrincipal: Principal;

  function assertR4(resource: Resource, what: string): void {
    const validation = fhir.validate(resource);
    // The validator ships no terminology: value sets it cannot load are reported as info, and codes of example bindings
    // as "not found in value set": everything else must be silent.
    const problems = validation.messages?.filter((message) => !(message.severity === 'info' && /could not be found/.test(message.message ?? '')) && !TERMINOLOGY_ONLY.test(message.message ?? '')) ?? [];
    assert.deepEqual(problems, [], `${what}: valid R4`);
    assert.equal(validation.valid, true, `${what}: valid R4`);
  }

  async function answer<R extends Resource>(response: Response, what: string, status: number): Promise<R> {
    const body = await response.text();
    assert.equal(response.status, status, `${what}: status (${body.slice(0, 400)})`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/, what);
    const resource = JSON.parse(body) as R;
    assertR4(resource, what);
    return resource;
  }

  function request(path: string, token: string | null, init: { method?: string; body?: string; contentType?: string } = {}): Request {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, 'x-forwarded-for': '10.30.0.1', accept: 'application/fhir+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/fhir+json';
    return new Request(url, { method: init.method ?? 'GET', headers, body: init.body });
  }

  async function get<R extends Resource>(path: string, token: string | null, route: Route | IdRoute, status = 200): Promise<R> {
    const id = /^\/fhir\/[A-Za-z]+\/([^/?]+)$/.exec(path)?.[1];
    const response = await (route as IdRoute)(request(path, token), { params: Promise.resolve({ id: id ?? '' }) });
    return answer<R>(response, `GET ${path}`, status);
  }

  async function post<R extends Resource = ServiceRequest>(body: unknown, token: string, status = 201, contentType?: string): Promise<{ resource: R; location: string | null }> {
    const response = await createServiceRequestRoute(request('/fhir/ServiceRequest', token, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), contentType }));
    const resource = await answer<R>(response, 'POST /fhir/ServiceRequest', status);
    return { resource, location: response.headers.get('location') };
  }

  /** The ServiceRequest a hospital information system sends */
  function hisOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      priority: 'stat',
      subject: { type: 'Patient', identifier: { system: ISSUER, value: MRN } },
      supportingInfo: [
        { type: 'ImagingStudy', identifier: { system: 'urn:dicom:uid', value: `urn:oid:${studies.current}` } },
        { reference: `ImagingStudy/${studies.priorId}` },
      ],
      performer: [{ reference: `HealthcareService/${serviceId}`, display: 'Neuroradiology' }],
      reasonCode: [{ text: 'Acute ischaemia in the left MCA territory?' }],
      note: [{ text: 'Right-sided weakness since 07:40.' }, { text: 'On apixaban.' }],
      ...overrides,
    };
  }

  async function stow(options: { seed: string; date: string; patientId: string }): Promise<string> {
    const study = makeStudy({ patientId: options.patientId, issuerOfPatientId: ISSUER, patientName: 'Müller^Hans', studyDate: options.date, studyDescription: 'CT Head', modality: 'CT', series: 1, instancesPerSeries: 1, seed: options.seed });
    const { body, contentType } = stowBody(study);
    const response = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { authorization: server.adminAuthorization, 'content-type': contentType }, body: new Uint8Array(body) });
    assert.equal(response.status, 200, await response.text());
    return study.studyInstanceUid;
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    const admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const facilityId = (await db.membership.findFirstOrThrow({ where: { userId: admin } })).facilityId;
    const passwordHash = await hashPassword(PASSWORD);
    const referrer = await createUser(db, { email: 'referrer@so.example', name: 'Dr. Referrer', passwordHash, memberships: [{ facilityId, role: 'REFERRING' }] });
    const expert = await createUser(db, { email: 'expert@so.example', name: 'Dr. Neuro', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    const colleague = await createUser(db, { email: 'colleague@so.example', name: 'Dr. Colleague', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    // An expert of the same facility outside the service: reads the studies, takes no part in the case
    const insider = await createUser(db, { email: 'insider@so.example', name: 'Dr. Chest', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    const other = await createFacility(db, 'Other Clinic');
    const outsider = await createUser(db, { email: 'outsider@so.example', passwordHash, memberships: [{ facilityId: other.id, role: 'EXPERT' }] });
    serviceId = (await db.service.create({ data: { facilityId, name: 'Neuroradiology', turnaroundStatMinutes: 45 } })).id;
    for (const member of [expert, colleague]) await db.serviceMember.create({ data: { serviceId, userId: member.id } });
    Object.assign(users, { referrer: referrer.id, expert: expert.id, colleague: colleague.id });
    tokens.his = (await createApiToken(db, { userId: referrer.id, name: 'his' })).token;
    tokens.expert = (await createApiToken(db, { userId: expert.id, name: 'ris-expert' })).token;
    tokens.colleague = (await createApiToken(db, { userId: colleague.id, name: 'ris-colleague' })).token;
    tokens.insider = (await createApiToken(db, { userId: insider.id, name: 'ris-insider' })).token;
    tokens.outsider = (await createApiToken(db, { userId: outsider.id, name: 'other-his' })).token;
    expertPrincipal = { userId: expert.id, email: expert.email, ip: '10.30.0.2' };
    referrerPrincipal = { userId: referrer.id, email: referrer.email, ip: '10.30.0.3' };

    studies.current = await stow({ seed: 'so-current', date: '20261201', patientId: MRN });
    studies.prior = await stow({ seed: 'so-prior', date: '20250601', patientId: MRN });
    studies.otherPatient = await stow({ seed: 'so-other', date: '20261202', patientId: OTHER_MRN });
    studies.priorId = (await db.study.findFirstOrThrow({ where: { studyInstanceUid: studies.prior } })).id;
  });
  after(async () => {
    await server?.stop();
  });

  it('lists ServiceRequest (create, read, search) and Task (read, search) in the CapabilityStatement', async () => {
    const statement = await get<CapabilityStatement>('/fhir/metadata', null, metadataRoute);
    const entries = new Map(statement.rest?.[0].resource?.map((entry) => [entry.type, entry]));
    assert.deepEqual(entries.get('ServiceRequest')?.interaction?.map((interaction) => interaction.code), ['create', 'read', 'search-type']);
    assert.deepEqual(entries.get('ServiceRequest')?.searchParam?.map((param) => param.name), ['patient.identifier', '_count']);
    assert.deepEqual(entries.get('Task')?.interaction?.map((interaction) => interaction.code), ['read', 'search-type']);
    assert.deepEqual(entries.get('Task')?.searchParam?.map((param) => param.name), ['owner', 'status', '_count']);
  });

  it('lets a hospital system find whom to ask: the services and the experts, as HealthcareService and Practitioner', async () => {
    const services = await get<Bundle<HealthcareService>>('/fhir/HealthcareService?name=neuro', tokens.his, searchServicesRoute);
    assert.equal(services.total, 1);
    const service = services.entry![0].resource!;
    assert.equal(service.id, serviceId);
    assert.equal(service.name, 'Neuroradiology');
    assert.match(service.providedBy?.reference ?? '', /^Organization\//);
    assert.equal(service.comment, 'Second opinions. Turnaround: stat 45 min, urgent 6 h, routine 3 d.');
    assert.equal((await get<Bundle>('/fhir/HealthcareService?name=cardio', tokens.his, searchServicesRoute)).total, 0);
    const experts = await get<Bundle<Practitioner>>('/fhir/Practitioner', tokens.his, searchPractitionersRoute);
    const names = new Map(experts.entry?.map((entry) => [entry.resource!.id, entry.resource!.name?.[0].text]));
    assert.equal(names.get(users.expert), 'Dr. Neuro');
    assert.equal(names.has(users.referrer), false, 'a referring doctor is not an expert');
    const named = await get<Bundle<Practitioner>>('/fhir/Practitioner?name=NEURO', tokens.expert, searchPractitionersRoute);
    assert.equal(named.total, 0, 'the caller is not among the experts they may ask');
    assert.equal((await get<OperationOutcome>('/fhir/Practitioner?family=x', tokens.his, searchPractitionersRoute, 400)).issue[0].code, 'invalid');
  });

  it('creates a case from the ServiceRequest a hospital system posts and answers it as stored (201, Location)', async () => {
    const before = Date.now();
    const { resource, location } = await post(hisOrder(), tokens.his);
    caseId = resource.id!;
    assert.ok(caseId);
    assert.equal(location, `${server.url}/fhir/ServiceRequest/${caseId}`);
    assert.equal(resource.resourceType, 'ServiceRequest');
    assert.deepEqual([resource.status, resource.intent, resource.priority], ['active', 'order', 'stat']);
    assert.equal(resource.subject.identifier?.value, MRN);
    assert.equal(resource.subject.identifier?.system, ISSUER);
    assert.match(resource.subject.reference ?? '', /^Patient\//);
    assert.equal(resource.subject.display, 'Hans Müller');
    assert.deepEqual(resource.requester, { reference: `Practitioner/${users.referrer}`, type: 'Practitioner', display: 'Dr. Referrer' });
    assert.deepEqual(resource.performer, [{ reference: `HealthcareService/${serviceId}`, type: 'HealthcareService', display: 'Neuroradiology' }]);
    assert.equal(resource.reasonCode?.[0].text, 'Acute ischaemia in the left MCA territory?');
    assert.deepEqual(resource.note, [{ text: 'Right-sided weakness since 07:40.\n\nOn apixaban.' }]);
    assert.deepEqual(
      resource.supportingInfo?.map((info) => info.identifier?.value),
      [`urn:oid:${studies.current}`, `urn:oid:${studies.prior}`],
      'the study the case is about first, then the prior',
    );
    assert.equal(resource.supportingInfo?.[1].reference, `ImagingStudy/${studies.priorId}`);
    assert.match(resource.supportingInfo?.[0].reference ?? '', /^ImagingStudy\//);

    // The portal's case: sent to the service, stat, due by the service's turnaround; created and sent by the token
    const db = server.node.db;
    const row = await db.referral.findUniqueOrThrow({ where: { id: caseId }, select: { status: true, priority: true, targetServiceId: true, requesterId: true, dueAt: true, question: true, history: true, studies: { orderBy: { position: 'asc' }, select: { studyInstanceUid: true, primary: true } } } });
    assert.deepEqual([row.status, row.priority, row.targetServiceId, row.requesterId], ['REQUESTED', 'STAT', serviceId, users.referrer]);
    assert.deepEqual(row.studies, [{ studyInstanceUid: studies.current, primary: true }, { studyInstanceUid: studies.prior, primary: false }]);
    assert.equal(row.history, 'Right-sided weakness since 07:40.\n\nOn apixaban.');
    const dueIn = row.dueAt!.getTime() - before;
    assert.ok(dueIn > 44 * 60_000 && dueIn < 46 * 60_000, `due in 45 minutes (${dueIn} ms)`);
    const audit = await db.auditEvent.findMany({ where: { resource: `referral:${caseId}` }, select: { action: true, actor: true, patientId: true } });
    assert.deepEqual(audit.map((event) => event.action).sort(), ['referral.create', 'referral.send']);
    assert.ok(audit.every((event) => event.actor === 'token:his' && event.patientId === MRN));

    // A draft stays the requester's: no Task in anyone's queue; the question may come as the first note
    const draft = await post(hisOrder({ status: 'draft', priority: undefined, reasonCode: undefined, note: [{ text: 'Old infarct?' }], supportingInfo: [{ reference: `ImagingStudy/${studies.priorId}` }] }), tokens.his);
    draftId = draft.resource.id!;
    assert.deepEqual([draft.resource.status, draft.resource.priority, draft.resource.reasonCode?.[0].text, draft.resource.note], ['draft', 'routine', 'Old infarct?', undefined]);
    assert.equal((await db.referral.findUniqueOrThrow({ where: { id: draftId } })).status, 'DRAFT');
  });

  it('finds the cases by patient.identifier and reads the ServiceRequest and its Task, for the parties only', async () => {
    const bundle = await get<Bundle<ServiceRequest>>(`/fhir/ServiceRequest?patient.identifier=${MRN}`, tokens.his, searchServiceRequestsRoute);
    assert.equal(bundle.type, 'searchset');
    assert.deepEqual(bundle.entry?.map((entry) => entry.resource?.id).sort(), [caseId, draftId].sort());
    assert.equal(bundle.entry?.find((entry) => entry.resource?.id === caseId)?.fullUrl, `${server.url}/fhir/ServiceRequest/${caseId}`);
    const withSystem = await get<Bundle>(`/fhir/ServiceRequest?patient.identifier=${encodeURIComponent(`${ISSUER}|${MRN}`)}&_count=1`, tokens.his, searchServiceRequestsRoute);
    assert.deepEqual([withSystem.total, withSystem.entry?.length], [2, 1], '_count: the first one, total all');
    assert.equal((await get<Bundle>(`/fhir/ServiceRequest?patient.identifier=urn:other%7C${MRN}`, tokens.his, searchServiceRequestsRoute)).total, 0);
    assert.equal((await get<Bundle>(`/fhir/ServiceRequest?patient.identifier=${OTHER_MRN}`, tokens.his, searchServiceRequestsRoute)).total, 0);
    // The service's experts see the sent case, not the draft
    const expertView = await get<Bundle<ServiceRequest>>(`/fhir/ServiceRequest?patient.identifier=${MRN}`, tokens.colleague, searchServiceRequestsRoute);
    assert.deepEqual(expertView.entry?.map((entry) => entry.resource?.id), [caseId]);

    const read = await get<ServiceRequest>(`/fhir/ServiceRequest/${caseId}`, tokens.expert, readServiceRequestRoute);
    assert.equal(read.id, caseId);
    const task = await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute);
    assert.deepEqual([task.id, task.status, task.intent, task.priority], [caseId, 'requested', 'order', 'stat']);
    assert.deepEqual(task.basedOn, [{ reference: `ServiceRequest/${caseId}`, type: 'ServiceRequest' }]);
    assert.equal(task.focus?.reference, `ServiceRequest/${caseId}`);
    assert.equal(task.for?.identifier?.value, MRN);
    assert.equal(task.owner?.reference, `HealthcareService/${serviceId}`, 'the service holds it before an expert takes it');
    assert.equal(task.requester?.reference, `Practitioner/${users.referrer}`);
    const row = await server.node.db.referral.findUniqueOrThrow({ where: { id: caseId }, select: { dueAt: true, requestedAt: true } });
    assert.equal(task.restriction?.period?.end, row.dueAt!.toISOString());
    assert.equal(task.executionPeriod?.start, row.requestedAt!.toISOString());
    assert.equal(task.output, undefined);
    assert.equal((await get<Task>(`/fhir/Task/${draftId}`, tokens.his, readTaskRoute)).status, 'draft');

    // The service's queue
    const queue = await get<Bundle<Task>>(`/fhir/Task?owner=HealthcareService/${serviceId}&status=requested`, tokens.colleague, searchTasksRoute);
    assert.deepEqual(queue.entry?.map((entry) => entry.resource?.id), [caseId]);
    // A draft is its requester's alone: not in the service's queue
    const drafts = `/fhir/Task?owner=HealthcareService/${serviceId}&status=draft`;
    assert.deepEqual((await get<Bundle<Task>>(drafts, tokens.his, searchTasksRoute)).entry?.map((entry) => entry.resource?.id), [draftId]);
    assert.equal((await get<Bundle>(drafts, tokens.colleague, searchTasksRoute)).total, 0, 'a draft is not in the queue');

    // Not a party: another facility, a colleague outside the service, the draft for the experts — 404 and nothing found
    for (const token of [tokens.outsider, tokens.insider]) {
      for (const [path, route] of [[`/fhir/ServiceRequest/${caseId}`, readServiceRequestRoute], [`/fhir/Task/${caseId}`, readTaskRoute]] as const) {
        const outcome = await get<OperationOutcome>(path, token, route, 404);
        assert.equal(outcome.issue[0].code, 'not-found');
      }
      assert.equal((await get<Bundle>(`/fhir/ServiceRequest?patient.identifier=${MRN}`, token, searchServiceRequestsRoute)).total, 0);
      assert.equal((await get<Bundle>(`/fhir/Task?owner=HealthcareService/${serviceId}`, token, searchTasksRoute)).total, 0);
    }
    await get<OperationOutcome>(`/fhir/Task/${draftId}`, tokens.expert, readTaskRoute, 404);
    await get<OperationOutcome>('/fhir/Task/no-such-case', tokens.his, readTaskRoute, 404);
  });

  it('follows the Task: taken by an expert, in progress, completed with the DiagnosticReport, closed', async () => {
    const runtime = server.node.runtime;
    const db = server.node.db;
    await transitionReferral(runtime, expertPrincipal, caseId, { action: 'claim' });
    let task = await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute);
    assert.deepEqual([task.status, task.owner?.reference, task.owner?.display], ['accepted', `Practitioner/${users.expert}`, 'Dr. Neuro']);
    assert.equal((await get<Bundle>(`/fhir/Task?owner=HealthcareService/${serviceId}&status=requested`, tokens.colleague, searchTasksRoute)).total, 0, 'gone from the queue');
    assert.equal((await get<Bundle>(`/fhir/Task?owner=HealthcareService/${serviceId}`, tokens.colleague, searchTasksRoute)).total, 0, 'and from the colleague: the case is the expert\'s now');
    const mine = await get<Bundle<Task>>(`/fhir/Task?owner=Practitioner/${users.expert}&status=accepted,in-progress`, tokens.expert, searchTasksRoute);
    assert.deepEqual(mine.entry?.map((entry) => entry.resource?.id), [caseId]);
    await transitionReferral(runtime, expertPrincipal, caseId, { action: 'start' });
    assert.equal((await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute)).status, 'in-progress');

    // The expert writes the case's report and signs it: the signature completes the case
    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { facilityId: null, name: 'CT chest' } })).id;
    const { report } = await createReport(runtime, expertPrincipal, studies.current, { templateId, referralId: caseId });
    const saved = await saveDraft(runtime, expertPrincipal, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'No acute ischaemia.' }] });
    await signReport({ ...runtime, produceSignedArtifacts: signedArtifactsProducer(runtime) }, expertPrincipal, report.id, { baseRevision: saved.revision, password: PASSWORD });

    task = await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute);
    assert.equal(task.status, 'completed');
    assert.equal(task.businessStatus, undefined);
    assert.deepEqual(task.output, [{ type: { text: 'Report' }, valueReference: { reference: `DiagnosticReport/${report.id}`, type: 'DiagnosticReport' } }]);
    assert.ok(task.executionPeriod?.end);
    assert.equal((await get<ServiceRequest>(`/fhir/ServiceRequest/${caseId}`, tokens.his, readServiceRequestRoute)).status, 'completed');
    const diagnosticReport = await get<DiagnosticReport>(`/fhir/${task.output![0].valueReference!.reference}`, tokens.his, readReportRoute);
    assert.deepEqual([diagnosticReport.id, diagnosticReport.status, diagnosticReport.conclusion], [report.id, 'final', 'No acute ischaemia.']);

    await transitionReferral(runtime, referrerPrincipal, caseId, { action: 'close' });
    task = await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute);
    assert.deepEqual([task.status, task.businessStatus?.text], ['completed', 'closed']);
    const done = await get<Bundle<Task>>('/fhir/Task?status=completed', tokens.his, searchTasksRoute);
    assert.deepEqual(done.entry?.map((entry) => entry.resource?.id), [caseId]);
    // The expert who reported it still sees it (the owner stays)
    assert.equal((await get<Task>(`/fhir/Task/${caseId}`, tokens.expert, readTaskRoute)).status, 'completed');
  });

  it('addresses a named expert: the Task is theirs before a claim; declined and cancelled carry the reason', async () => {
    const runtime = server.node.runtime;
    const { resource } = await post(hisOrder({ priority: 'urgent', performer: [{ reference: `Practitioner/${users.colleague}` }] }), tokens.his);
    assert.deepEqual(resource.performer, [{ reference: `Practitioner/${users.colleague}`, type: 'Practitioner', display: 'Dr. Colleague' }]);
    const named = `/fhir/Task?owner=Practitioner/${users.colleague}&status=requested`;
    assert.deepEqual((await get<Bundle<Task>>(named, tokens.colleague, searchTasksRoute)).entry?.map((entry) => entry.resource?.id), [resource.id]);
    const empty = await get<Bundle>(named, tokens.expert, searchTasksRoute);
    assert.deepEqual([empty.total, empty.entry], [0, undefined], 'not the other service member\'s: no entry at all');
    const colleague: Principal = { userId: users.colleague, email: 'colleague@so.example', ip: '10.30.0.4' };
    await transitionReferral(runtime, colleague, resource.id!, { action: 'decline', reason: 'Not my field: ask paediatric neuroradiology.' });
    let task = await get<Task>(`/fhir/Task/${resource.id}`, tokens.his, readTaskRoute);
    assert.deepEqual([task.status, task.statusReason?.text, task.owner?.reference], ['rejected', 'Not my field: ask paediatric neuroradiology.', `Practitioner/${users.colleague}`]);
    assert.equal((await get<ServiceRequest>(`/fhir/ServiceRequest/${resource.id}`, tokens.his, readServiceRequestRoute)).status, 'active', 'the request stands: the requester may send it to someone else');
    await get<OperationOutcome>(`/fhir/Task/${resource.id}`, tokens.colleague, readTaskRoute, 404);
    await transitionReferral(runtime, referrerPrincipal, resource.id!, { action: 'cancel', reason: 'Patient transferred.' });
    task = await get<Task>(`/fhir/Task/${resource.id}`, tokens.his, readTaskRoute);
    assert.deepEqual([task.status, task.statusReason?.text], ['cancelled', 'Patient transferred.']);
    assert.equal((await get<ServiceRequest>(`/fhir/ServiceRequest/${resource.id}`, tokens.his, readServiceRequestRoute)).status, 'revoked');
  });

  it('refuses what it cannot honour: 400 naming the element, 404 for what is not known', async () => {
    const cases: [string, unknown, number, string, RegExp][] = [
      ['not a ServiceRequest', { resourceType: 'Task' }, 400, 'ServiceRequest', /send a ServiceRequest/],
      ['no subject', hisOrder({ subject: undefined }), 400, 'ServiceRequest.subject', /by identifier/],
      ['status', hisOrder({ status: 'completed' }), 400, 'ServiceRequest.status', /active .* or draft/],
      ['intent', hisOrder({ intent: 'proposal' }), 400, 'ServiceRequest.intent', /order/],
      ['no studies', hisOrder({ supportingInfo: [] }), 400, 'ServiceRequest.supportingInfo', /ImagingStudy/],
      ['another type', hisOrder({ supportingInfo: [{ reference: 'DocumentReference/1', type: 'DocumentReference' }] }), 400, 'ServiceRequest.supportingInfo[0].type', /only ImagingStudy/],
      ['a UID system', hisOrder({ supportingInfo: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${studies.current}` } }] }), 400, 'ServiceRequest.supportingInfo[0].identifier.system', /urn:dicom:uid/],
      ['an Organization', hisOrder({ performer: [{ reference: 'Organization/regional' }] }), 400, 'ServiceRequest.performer[0].reference', /service \(HealthcareService\/<id>\) or an expert/],
      ['no performer', hisOrder({ performer: undefined }), 400, 'ServiceRequest.performer', /required/],
      ['priority', hisOrder({ priority: 'asap' }), 400, 'ServiceRequest.priority', /routine, urgent or stat/],
      ['no question', hisOrder({ reasonCode: undefined, note: undefined }), 400, 'ServiceRequest.reasonCode[0].text', /clinical question/],
      ['unknown patient', hisOrder({ subject: { identifier: { value: 'NOBODY-1' } } }), 404, 'ServiceRequest.subject', /NOBODY-1 is not known/],
      ['unknown study', hisOrder({ supportingInfo: [{ identifier: { system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.4.5' } }] }), 404, 'ServiceRequest.supportingInfo[0]', /urn:oid:1\.2\.3\.4\.5 is not known/],
      ['unknown service', hisOrder({ performer: [{ reference: 'HealthcareService/nope' }] }), 404, 'ServiceRequest.performer[0]', /HealthcareService\/nope is not known/],
      ['not an expert', hisOrder({ performer: [{ reference: `Practitioner/${users.referrer}` }] }), 404, 'ServiceRequest.performer[0]', /is not known/],
      ['another patient', hisOrder({ supportingInfo: [{ identifier: { system: 'urn:dicom:uid', value: `urn:oid:${studies.otherPatient}` } }] }), 400, 'ServiceRequest.supportingInfo[0]', /not a study of the subject/],
      ['a prior of another patient', hisOrder({ supportingInfo: [{ identifier: { value: `urn:oid:${studies.current}` } }, { identifier: { value: `urn:oid:${studies.otherPatient}` } }] }), 400, 'ServiceRequest.supportingInfo', /same patient/],
    ];
    const before = await server.node.db.referral.count();
    for (const [what, body, status, expression, diagnostics] of cases) {
      const { resource } = await post<OperationOutcome>(body, tokens.his, status);
      assert.equal(resource.resourceType, 'OperationOutcome', what);
      assert.equal(resource.issue[0].code, status === 404 ? 'not-found' : 'invalid', what);
      assert.deepEqual(resource.issue[0].expression, [expression], what);
      assert.match(resource.issue[0].diagnostics ?? '', diagnostics, what);
    }
    // An expert asking themself: the portal's own rule, answered on the element
    const self = await post<OperationOutcome>(hisOrder({ performer: [{ reference: `Practitioner/${users.expert}` }] }), tokens.expert, 400);
    assert.deepEqual(self.resource.issue[0].expression, ['ServiceRequest.performer[0]']);
    assert.match(self.resource.issue[0].diagnostics ?? '', /someone other than yourself/);
    // Another facility's caller does not know the patient
    assert.deepEqual((await post<OperationOutcome>(hisOrder(), tokens.outsider, 404)).resource.issue[0].expression, ['ServiceRequest.subject']);
    // Not JSON, not FHIR JSON, no credentials
    assert.match((await post<OperationOutcome>('{"resourceType": "ServiceRequest",', tokens.his, 400)).resource.issue[0].diagnostics ?? '', /not valid JSON/);
    assert.match((await post<OperationOutcome>(JSON.stringify(hisOrder()), tokens.his, 400, 'text/plain')).resource.issue[0].diagnostics ?? '', /application\/fhir\+json/);
    const huge = JSON.stringify(hisOrder({ note: [{ text: 'x'.repeat(300 * 1024) }] }));
    assert.match((await post<OperationOutcome>(huge, tokens.his, 400)).resource.issue[0].diagnostics ?? '', /larger than 256 KB/);
    const anonymous = await createServiceRequestRoute(request('/fhir/ServiceRequest', null, { method: 'POST', body: JSON.stringify(hisOrder()) }));
    assert.equal((await answer<OperationOutcome>(anonymous, 'anonymous POST', 401)).issue[0].code, 'login');
    assert.equal(await server.node.db.referral.count(), before, 'nothing was created');
    // A bare application/json body is taken too, and the subject as the Patient/<id> this API writes
    const patientRef = (await get<ServiceRequest>(`/fhir/ServiceRequest/${caseId}`, tokens.his, readServiceRequestRoute)).subject.reference;
    const plainJson = await post(hisOrder({ status: 'draft', subject: { reference: patientRef } }), tokens.his, 201, 'application/json; charset=utf-8');
    assert.deepEqual([plainJson.resource.status, plainJson.resource.subject.reference], ['draft', patientRef]);
    assert.equal((await post<OperationOutcome>(hisOrder({ subject: { reference: 'Patient/nope' } }), tokens.his, 404)).resource.issue[0].diagnostics, 'ServiceRequest.subject: Patient/nope is not known.');

    // Searches it does not understand
    for (const query of ['/fhir/Task?code=x', '/fhir/Task?status=done', '/fhir/Task?owner=Organization/x', '/fhir/Task?_count=many', '/fhir/ServiceRequest?subject=Patient/x']) {
      const route = query.startsWith('/fhir/Task') ? searchTasksRoute : searchServiceRequestsRoute;
      assert.equal((await get<OperationOutcome>(query, tokens.his, route, 400)).issue[0].code, 'invalid', query);
    }
  });

  it('audits FHIR reads and searches of cases as fhir.read and fhir.search, for the patient at the requesting facility', async () => {
    const db = server.node.db;
    await get<Task>(`/fhir/Task/${caseId}`, tokens.his, readTaskRoute);
    let rows: { action: string; actor: string; patientId: string | null; resource: string | null; details: string }[] = [];
    for (let attempt = 0; attempt < 50 && !rows.some((row) => row.resource === `GET /fhir/Task/${caseId}`); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await db.auditEvent.findMany({ where: { action: { in: ['fhir.read', 'fhir.search'] } }, select: { action: true, actor: true, patientId: true, resource: true, details: true } });
    }
    const read = rows.find((row) => row.resource === `GET /fhir/Task/${caseId}` && row.actor === 'token:his');
    assert.ok(read, 'the Task read');
    assert.deepEqual([read.action, read.patientId], ['fhir.read', MRN]);
    const search = rows.find((row) => row.action === 'fhir.search' && row.resource === 'GET /fhir/ServiceRequest' && row.patientId === MRN);
    assert.ok(search, 'the ServiceRequest search');
    assert.ok((JSON.parse(search.details) as { cases?: string[] }).cases?.includes(caseId));
  });
});
