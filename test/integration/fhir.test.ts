// The FHIR R4 read API as a hospital system calls it (Bearer API token): real
// server, real studies stored by STOW, reports written and signed through
// lib/reports. Every answer must validate as R4 (the `fhir` package).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, CapabilityStatement, DiagnosticReport, ImagingStudy, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import { GET as readReportRoute } from '../../app/fhir/DiagnosticReport/[id]/route';
import { GET as searchReportsRoute } from '../../app/fhir/DiagnosticReport/route';
import { GET as readStudyRoute } from '../../app/fhir/ImagingStudy/[id]/route';
import { GET as searchStudiesRoute } from '../../app/fhir/ImagingStudy/route';
import { GET as metadataRoute } from '../../app/fhir/metadata/route';
import { createApiToken, hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { amendReport } from '../../lib/reports/amend-report';
import { createReport } from '../../lib/reports/create-report';
import { makePreliminary } from '../../lib/reports/make-preliminary';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { signedArtifactsProducer } from '../../lib/reports/signed-artifacts';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'fhir test password';
const MRN = 'FHIR-MRN-1';
const PATIENT_NAME = 'Иванов^Иван';
const fhir = new Fhir();
const TERMINOLOGY_ONLY = /^Code "[^"]+" \((http:\/\/loinc\.org|http:\/\/terminology\.hl7\.org\/CodeSystem\/v2-0074|http:\/\/dicom\.nema\.org\/resources\/ontology\/DCM)\) not found in value set$/;

describe('FHIR read API', () => {
  let server: TestServer;
  const tokens = { expert: '', referrer: '', outsider: '' };
  const studies = { signed: '', draft: '', preliminary: '' };
  const reports = { final: '', draft: '', preliminary: '' };
  let sign: (reportId: string, baseRevision: number) => Promise<unknown>;
  let expertPrincipal: Principal;

  /** The answer, after checking it is FHIR JSON that validates as R4 with no messages */
  async function get<R extends Resource>(path: string, token: string | null, route: (request: Request) => Promise<Response> | Response, status = 200): Promise<{ resource: R; response: Response }> {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, 'x-forwarded-for': '10.20.0.1' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await route(new Request(url, { headers }));
    assert.equal(response.status, status, `${path}: status`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/);
    const resource = (await response.json()) as R;
    const validation = fhir.validate(resource);
    // The validator ships no terminology: value sets it cannot load are reported as info, and a code of an
    // example binding (LOINC, v2-0074, DICOM CID 29) as "not found in value set": everything else must be silent.
    const problems = validation.messages?.filter((message) => !(message.severity === 'info' && /could not be found/.test(message.message ?? '')) && !TERMINOLOGY_ONLY.test(message.message ?? '')) ?? [];
    assert.deepEqual(problems, [], `${path}: valid R4`);
    assert.equal(validation.valid, true);
    return { resource, response };
  }
  const byId = (id: string) => (request: Request) => (request.url.includes('/DiagnosticReport/') ? readReportRoute : readStudyRoute)(request, { params: Promise.resolve({ id }) });

  async function stow(options: { seed: string; date: string; series: number; modality: string }): Promise<string> {
    const study = makeStudy({ patientId: MRN, patientName: PATIENT_NAME, specificCharacterSet: 'ISO_IR 192', studyDate: options.date, studyDescription: 'CT Chest', modality: options.modality, series: options.series, instancesPerSeries: 2, seed: options.seed });
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
    const expert = await createUser(db, { email: 'expert@fhir.example', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    await db.user.update({ where: { id: expert.id }, data: { name: 'Петрова Анна' } });
    const referrer = await createUser(db, { email: 'referrer@fhir.example', passwordHash, memberships: [{ facilityId, role: 'REFERRING' }] });
    const other = await createFacility(db, 'Other Clinic');
    const outsider = await createUser(db, { email: 'outsider@fhir.example', passwordHash, memberships: [{ facilityId: other.id, role: 'EXPERT' }] });
    tokens.expert = (await createApiToken(db, { userId: expert.id, name: 'his-expert' })).token;
    tokens.referrer = (await createApiToken(db, { userId: referrer.id, name: 'his' })).token;
    tokens.outsider = (await createApiToken(db, { userId: outsider.id, name: 'other-his' })).token;

    studies.signed = await stow({ seed: 'fhir-signed', date: '20260301', series: 2, modality: 'CT' });
    studies.draft = await stow({ seed: 'fhir-draft', date: '20260302', series: 1, modality: 'CT' });
    studies.preliminary = await stow({ seed: 'fhir-prelim', date: '20260303', series: 1, modality: 'MR' });

    const runtime = server.node.runtime;
    const who: Principal = { userId: expert.id, email: expert.email, ip: '10.20.0.2' };
    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { facilityId: null, name: 'CT chest' } })).id;
    const write = async (studyUid: string, impression: string) => {
      const { report } = await createReport(runtime, who, studyUid, { templateId });
      return saveDraft(runtime, who, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: impression }] });
    };
    const toSign = await write(studies.signed, 'Очаговых изменений нет.');
    expertPrincipal = who;
    sign = (reportId, baseRevision) => signReport({ ...runtime, produceSignedArtifacts: signedArtifactsProducer(runtime) }, who, reportId, { baseRevision, password: PASSWORD });
    await sign(toSign.id, toSign.revision);
    reports.final = toSign.id;
    reports.draft = (await write(studies.draft, 'Draft, nobody else sees this.')).id;
    const prelim = await write(studies.preliminary, 'Preliminary: no bleed.');
    await makePreliminary(runtime, who, prelim.id, { baseRevision: prelim.revision });
    reports.preliminary = prelim.id;
  });
  after(async () => {
    await server?.stop();
  });

  it('lists what it supports in an R4 CapabilityStatement, without credentials', async () => {
    const { resource } = await get<CapabilityStatement>('/fhir/metadata', null, metadataRoute);
    assert.equal(resource.fhirVersion, '4.0.1');
    assert.deepEqual(resource.format, ['json']);
    const types = resource.rest?.[0].resource?.map((entry) => [entry.type, entry.searchParam?.map((param) => param.name)]);
    assert.deepEqual(types, [
      ['DiagnosticReport', ['patient.identifier', 'subject', 'patient', 'imaging-study', 'study-instance-uid', 'status']],
      ['ImagingStudy', ['patient.identifier', 'subject', 'patient', 'identifier', 'study-instance-uid']],
      ['HealthcareService', ['name']],
      ['Practitioner', ['name']],
      ['ServiceRequest', ['patient.identifier', '_count']],
      ['Consent', ['patient.identifier', 'patient', 'status']],
      ['Task', ['owner', 'status', '_count']],
    ]);
  });

  it('finds the signed and preliminary reports of a patient by MRN, never a draft, with the PDF and the study', async () => {
    const { resource: bundle } = await get<Bundle<DiagnosticReport>>(`/fhir/DiagnosticReport?patient.identifier=${MRN}`, tokens.referrer, searchReportsRoute);
    assert.equal(bundle.type, 'searchset');
    assert.equal(bundle.total, 2);
    const found = new Map(bundle.entry?.map((entry) => [entry.resource!.id, entry]));
    assert.deepEqual([...found.keys()].sort(), [reports.final, reports.preliminary].sort());
    assert.equal(found.has(reports.draft), false);
    const final = found.get(reports.final)!;
    assert.equal(final.fullUrl, `${server.url}/fhir/DiagnosticReport/${reports.final}`);
    const report = final.resource!;
    assert.equal(report.status, 'final');
    assert.deepEqual(report.code.coding?.[0], { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' });
    assert.equal(report.subject?.display, 'Иван Иванов');
    assert.equal(report.subject?.identifier?.value, MRN);
    assert.equal(report.effectiveDateTime, '2026-03-01');
    assert.ok(report.issued);
    assert.equal(report.resultsInterpreter?.[0].display, 'Петрова Анна');
    assert.equal(report.conclusion, 'Очаговых изменений нет.');
    assert.equal(report.presentedForm?.[0].contentType, 'application/pdf');
    assert.equal(report.presentedForm?.[0].url, `${server.url}/api/reports/${reports.final}/pdf`);
    const preliminary = found.get(reports.preliminary)!.resource!;
    assert.equal(preliminary.status, 'preliminary');
    assert.equal(preliminary.presentedForm, undefined, 'no PDF before signing');

    // The system|value form, the study's UID, and the study reference all find it
    const signedStudy = report.imagingStudy![0].reference!;
    const system = report.subject?.identifier?.system;
    const systemForm = system ? `${encodeURIComponent(system)}%7C${MRN}` : `%7C${MRN}`;
    const { resource: withSystem } = await get<Bundle>(`/fhir/DiagnosticReport?patient.identifier=${systemForm}`, tokens.referrer, searchReportsRoute);
    assert.equal(withSystem.total, 2, 'system|value');
    for (const query of [`study-instance-uid=urn:oid:${studies.signed}`, `imaging-study=${signedStudy}`, `subject=${report.subject?.reference}&status=final`]) {
      const { resource } = await get<Bundle<DiagnosticReport>>(`/fhir/DiagnosticReport?${query}`, tokens.referrer, searchReportsRoute);
      assert.deepEqual(resource.entry?.map((entry) => entry.resource?.id), [reports.final], query);
    }
    const { resource: wrongSystem } = await get<Bundle>(`/fhir/DiagnosticReport?patient.identifier=urn:other%7C${MRN}`, tokens.referrer, searchReportsRoute);
    assert.equal(wrongSystem.total, 0);
    const { resource: onlyPreliminary } = await get<Bundle<DiagnosticReport>>(`/fhir/DiagnosticReport?patient.identifier=${MRN}&status=preliminary`, tokens.referrer, searchReportsRoute);
    assert.deepEqual(onlyPreliminary.entry?.map((entry) => entry.resource?.id), [reports.preliminary]);
    const { resource: amended } = await get<Bundle>(`/fhir/DiagnosticReport?patient.identifier=${MRN}&status=amended,appended`, tokens.referrer, searchReportsRoute);
    assert.equal(amended.total, 0);

    // The author's own draft does not appear either: FHIR shows published reports only
    const { resource: authorView } = await get<Bundle>(`/fhir/DiagnosticReport?patient.identifier=${MRN}`, tokens.expert, searchReportsRoute);
    assert.equal(authorView.total, 2);
  });

  it('reads one report by id; a draft, an unknown id and an outsider get 404 OperationOutcome', async () => {
    const { resource } = await get<DiagnosticReport>(`/fhir/DiagnosticReport/${reports.final}`, tokens.referrer, byId(reports.final));
    assert.equal(resource.id, reports.final);
    assert.equal(resource.status, 'final');
    assert.equal(resource.subject?.display, 'Иван Иванов');
    for (const [id, token] of [[reports.final, tokens.outsider], [reports.draft, tokens.expert], ['no-such-report', tokens.referrer]] as const) {
      const { resource: outcome } = await get<OperationOutcome>(`/fhir/DiagnosticReport/${id}`, token, byId(id), 404);
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.equal(outcome.issue[0].code, 'not-found');
      assert.equal(outcome.issue[0].severity, 'error');
    }
    const { resource: none } = await get<Bundle>(`/fhir/DiagnosticReport?patient.identifier=${MRN}`, tokens.outsider, searchReportsRoute);
    assert.equal(none.total, 0, 'an outsider finds nothing');
  });

  it('answers 401 with WWW-Authenticate without credentials, and 400 for a search it does not understand', async () => {
    const { resource, response } = await get<OperationOutcome>(`/fhir/DiagnosticReport?patient.identifier=${MRN}`, null, searchReportsRoute, 401);
    assert.equal(resource.issue[0].code, 'login');
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await get<OperationOutcome>(`/fhir/DiagnosticReport?patient.identifier=${MRN}`, 'tp_wrong_token', searchReportsRoute, 401)).resource.issue[0].code, 'login');
    const { resource: unknown } = await get<OperationOutcome>('/fhir/DiagnosticReport?code=18748-4', tokens.referrer, searchReportsRoute, 400);
    assert.match(unknown.issue[0].diagnostics ?? '', /Unknown search parameter "code"/);
    assert.equal((await get<OperationOutcome>('/fhir/DiagnosticReport?status=final', tokens.referrer, searchReportsRoute, 400)).resource.issue[0].code, 'invalid');
    assert.equal((await get<OperationOutcome>(`/fhir/DiagnosticReport?patient.identifier=${MRN}&status=draft`, tokens.referrer, searchReportsRoute, 400)).resource.issue[0].code, 'invalid');
  });

  it('finds and reads the imaging studies of a patient, with series and the DICOMweb endpoint', async () => {
    const { resource: bundle } = await get<Bundle<ImagingStudy>>(`/fhir/ImagingStudy?patient.identifier=${MRN}`, tokens.referrer, searchStudiesRoute);
    assert.equal(bundle.total, 3);
    const signed = bundle.entry!.map((entry) => entry.resource!).find((study) => study.identifier?.[0].value === `urn:oid:${studies.signed}`)!;
    assert.equal(signed.status, 'available');
    assert.equal(signed.subject.display, 'Иван Иванов');
    assert.equal(signed.started, '2026-03-01');
    // The CT's two series, and the signed report's Encapsulated PDF and SR, each in a series of its own
    assert.deepEqual([signed.numberOfSeries, signed.numberOfInstances], [4, 6]);
    assert.deepEqual(signed.series?.map((series) => [series.number, series.modality.code, series.numberOfInstances]), [[1, 'CT', 2], [2, 'CT', 2], [3, 'DOC', 1], [4, 'SR', 1]]);
    assert.equal((signed.contained?.[0] as { address?: string }).address, `${server.url}/dicomweb`);
    const { resource } = await get<ImagingStudy>(`/fhir/ImagingStudy/${signed.id}`, tokens.referrer, byId(signed.id!));
    assert.equal(resource.id, signed.id);
    const { resource: byUid } = await get<Bundle>(`/fhir/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:${studies.preliminary}`, tokens.referrer, searchStudiesRoute);
    assert.equal(byUid.total, 1);
    assert.equal((await get<OperationOutcome>(`/fhir/ImagingStudy/${signed.id}`, tokens.outsider, byId(signed.id!), 404)).resource.issue[0].code, 'not-found');
    assert.equal((await get<Bundle>(`/fhir/ImagingStudy?patient.identifier=${MRN}`, tokens.outsider, searchStudiesRoute)).resource.total, 0);
  });

  it('audits searches and reads through the audit queue', async () => {
    const db = server.node.db;
    await get<DiagnosticReport>(`/fhir/DiagnosticReport/${reports.final}`, tokens.referrer, byId(reports.final));
    let rows: { action: string; actor: string; patientId: string | null }[] = [];
    for (let attempt = 0; attempt < 50 && !rows.some((row) => row.action === 'fhir.read'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await db.auditEvent.findMany({ where: { action: { in: ['fhir.read', 'fhir.search'] } }, select: { action: true, actor: true, patientId: true } });
    }
    assert.ok(rows.some((row) => row.action === 'fhir.read' && row.actor === 'token:his' && row.patientId === MRN));
    assert.ok(rows.some((row) => row.action === 'fhir.search' && row.patientId === MRN));
  });

  it('keeps showing the signed version while an amendment is written, then the amendment as amended', async () => {
    const runtime = server.node.runtime;
    const current = await server.node.db.report.findUniqueOrThrow({ where: { id: reports.final }, select: { revision: true } });
    const open = await amendReport(runtime, expertPrincipal, reports.final, { baseRevision: current.revision, reason: 'Laterality', sections: [{ key: 'impression', text: 'Очаг в левом лёгком.' }] });
    const during = (await get<DiagnosticReport>(`/fhir/DiagnosticReport/${reports.final}`, tokens.referrer, byId(reports.final))).resource;
    assert.deepEqual([during.status, during.conclusion, during.identifier?.[0].value], ['final', 'Очаговых изменений нет.', `${reports.final}/v1`]);
    await sign(reports.final, open.revision);
    const signedAmendment = (await get<DiagnosticReport>(`/fhir/DiagnosticReport/${reports.final}`, tokens.referrer, byId(reports.final))).resource;
    assert.deepEqual([signedAmendment.status, signedAmendment.conclusion, signedAmendment.presentedForm?.[0].title], ['amended', 'Очаг в левом лёгком.', 'Radiology report, version 2']);
    const { resource: amended } = await get<Bundle<DiagnosticReport>>(`/fhir/DiagnosticReport?patient.identifier=${MRN}&status=amended`, tokens.referrer, searchReportsRoute);
    assert.deepEqual(amended.entry?.map((entry) => entry.resource?.id), [reports.final]);
  });
});
