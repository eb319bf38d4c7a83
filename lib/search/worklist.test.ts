// The worklist search on a real archive (real DICOM files ingested through
// archive.ingest, real database): what each filter finds, sorting, paging,
// the access scope, and precise messages for bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessScope } from '../../pacs-core/access';
import { findStudies } from '../../pacs-core/index/find-studies';
import { parseQidoQuery } from '../../pacs-core/index/parse-qido-query';
import { createSearchFixtures, FIXTURE_TODAY, type FixtureName, type SearchFixtures } from '../../pacs-core/index/test-support/qido-fixtures';
import { parseWorklistRequest, searchWorklist } from './worklist';

describe('worklist search', () => {
  let f: SearchFixtures;
  let scope: AccessScope;
  before(async () => {
    f = await createSearchFixtures();
    scope = { kind: 'facilities', facilityIds: [f.facilityId] };
  });
  after(async () => {
    await f.cleanup();
  });

  async function find(query: string, inScope: AccessScope = scope) {
    const { request, errors } = parseWorklistRequest(new URLSearchParams(query));
    assert.deepEqual(errors, {}, `no input errors for ${query}`);
    const result = await searchWorklist(f.db, inScope, request, FIXTURE_TODAY);
    const byUid = new Map(Object.entries(f.studies).map(([name, files]) => [files.studyInstanceUid, name as FixtureName]));
    return { ...result, names: result.rows.map((row) => byUid.get(row.studyInstanceUid)) };
  }

  it('lists the visible studies newest first, with patient, facility and counts', async () => {
    const result = await find('');
    assert.deepEqual(result.names, ['smith', 'mueller', 'yamada', 'smithson']);
    assert.equal(result.total, 4);
    const mueller = result.rows[1];
    assert.equal(mueller.patient.name, 'Müller^Hans');
    assert.equal(mueller.patient.patientId, 'P-001');
    assert.deepEqual(mueller.modalities, ['CT', 'SR']);
    assert.equal(mueller.numberOfSeries, 2);
    assert.equal(mueller.numberOfInstances, 4);
    assert.equal(mueller.facility.code, 'TEST');
  });

  it('finds an MRN typed without its prefix, or by its last digits, in any case', async () => {
    assert.deepEqual((await find('mrn=003')).names, ['smith'], '"003" finds P-003');
    assert.deepEqual((await find('mrn=P-004')).names, ['smithson'], 'p-004, whatever the case');
    assert.deepEqual((await find('mrn=00')).names, ['smith', 'mueller', 'yamada', 'smithson']);
    assert.deepEqual((await find('mrn=P-00?')).names, ['smith', 'mueller', 'yamada', 'smithson'], 'a typed wildcard is used as typed');
    assert.deepEqual((await find('mrn=P-0')).names.length, 4);
    assert.deepEqual((await find('mrn=999')).names, []);
  });

  it('leaves QIDO-RS PatientID matching exact: "003" finds nothing there', async () => {
    const qido = await findStudies(f.db, parseQidoQuery('study', new URLSearchParams('PatientID=003')), scope, { today: FIXTURE_TODAY });
    assert.equal(qido.matches.length, 0);
  });

  it('finds by MRN, exactly or with a wildcard, and by issuer', async () => {
    assert.deepEqual((await find('mrn=P-003')).names, ['smith']);
    assert.deepEqual((await find('mrn=P-00*')).names, ['smith', 'mueller', 'yamada', 'smithson'], 'wildcards fold case, as in QIDO');
    assert.deepEqual((await find('mrn=P-003&issuer=NOPE')).names, []);
  });

  it('finds by partial name in any order, ignoring case and accents, also in ideographic groups', async () => {
    assert.deepEqual((await find('name=hans mul')).names, ['mueller']);
    assert.deepEqual((await find('name=MÜLLER')).names, ['mueller']);
    assert.deepEqual((await find('name=smith')).names, ['smith', 'smithson']);
    assert.deepEqual((await find('name=山田')).names, ['yamada']);
  });

  it('filters by sex, age range, birth date, modality, study dates, accession, description and referring physician', async () => {
    assert.deepEqual((await find('sex=f')).names, ['smith']);
    // On 2025-01-01: Müller 44, Yamada 69, Smith 14, Smithson 55
    assert.deepEqual((await find('ageFrom=40&ageTo=60')).names, ['mueller', 'smithson']);
    assert.deepEqual((await find('ageTo=20')).names, ['smith']);
    assert.deepEqual((await find('birthDate=1955-12-01')).names, ['yamada']);
    assert.deepEqual((await find('modality=sr')).names, ['mueller']);
    assert.deepEqual((await find('dateFrom=2024-01-01&dateTo=2024-12-31')).names, ['smith', 'mueller']);
    assert.deepEqual((await find('dateTo=2023-12-31')).names, ['yamada', 'smithson']);
    assert.deepEqual((await find('accession=ACC-1002')).names, ['yamada']);
    assert.deepEqual((await find('description=chest')).names, ['mueller']);
    assert.deepEqual((await find('description=100%')).names, [], 'LIKE wildcards in the text are literal');
    assert.deepEqual((await find('referring=rita')).names, ['smith', 'mueller']);
    assert.deepEqual((await find('facility=TEST&modality=CT')).names, ['mueller', 'smithson']);
  });

  it('sorts by name, patient ID, accession or modality, both ways', async () => {
    assert.deepEqual((await find('sort=name')).names, ['mueller', 'smith', 'smithson', 'yamada']);
    assert.deepEqual((await find('sort=name&dir=desc')).names, ['yamada', 'smithson', 'smith', 'mueller']);
    assert.deepEqual((await find('sort=accession')).names, ['mueller', 'yamada', 'smith', 'smithson']);
    assert.deepEqual((await find('sort=date&dir=asc')).names, ['smithson', 'yamada', 'mueller', 'smith']);
  });

  it('pages on the server: 25 per page by default, the last page clamps', async () => {
    for (let i = 0; i < 30; i++) {
      await f.db.study.create({
        data: { facilityId: f.facilityId, patientRef: (await f.db.patient.findFirstOrThrow({ where: { patientId: 'P-003' } })).id, studyInstanceUid: `2.25.9${i}`, studyDate: '20000101', description: `bulk ${i}` },
      });
    }
    const first = await find('description=bulk');
    assert.equal(first.total, 30);
    assert.equal(first.rows.length, 25);
    assert.equal(first.pageCount, 2);
    const second = await find('description=bulk&page=2');
    assert.equal(second.rows.length, 5);
    const beyond = await find('description=bulk&page=99');
    assert.equal(beyond.page, 2, 'a page past the end shows the last one');
    const all = new Set([...first.rows, ...second.rows].map((row) => row.studyInstanceUid));
    assert.equal(all.size, 30, 'no row on two pages');
    assert.equal((await find('description=bulk&pageSize=50')).rows.length, 30);
  });

  it('never shows another facility: the scope comes first, an empty scope sees nothing', async () => {
    assert.deepEqual((await find('mrn=P-005')).names, [], 'a study of the other facility is not found');
    assert.deepEqual((await find('facility=OTHER')).names, []);
    assert.deepEqual((await find('', { kind: 'facilities', facilityIds: [] })).total, 0);
    assert.deepEqual((await find('mrn=P-005', { kind: 'facilities', facilityIds: [f.otherFacilityId] })).names, ['hidden']);
  });

  it('answers bad input field by field, without searching', () => {
    const { errors } = parseWorklistRequest(new URLSearchParams('sex=X&ageFrom=abc&ageTo=-1&birthDate=2024-02-30&dateFrom=2024-05-01&dateTo=2024-04-01&modality=C T'));
    assert.match(errors.sex ?? '', /M, F or O/);
    assert.match(errors.ageFrom ?? '', /whole years/);
    assert.match(errors.ageTo ?? '', /whole years/);
    assert.match(errors.birthDate ?? '', /YYYY-MM-DD/);
    assert.match(errors.dateTo ?? '', /before the start/);
    assert.match(errors.modality ?? '', /modality code/);
    const { request } = parseWorklistRequest(new URLSearchParams('sort=evil;DROP&dir=sideways&page=-3&pageSize=7'));
    assert.deepEqual([request.sort, request.direction, request.page, request.pageSize], ['date', 'desc', 1, 25]);
  });
});
