import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessScope } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { ArchiveError } from '../errors';
import { findStudies } from './find-studies';
import { parseQidoQuery } from './parse-qido-query';
import { createSearchFixtures, FIXTURE_TODAY, type FixtureName, type SearchFixtures } from './test-support/qido-fixtures';

const ALL: AccessScope = { kind: 'all' };

describe('findStudies', () => {
  let f: SearchFixtures;
  before(async () => {
    f = await createSearchFixtures();
  });
  after(async () => {
    await f.cleanup();
  });

  function uidOf(dataset: DicomJsonDataset): string {
    return String(dataset['0020000D']?.Value?.[0]);
  }

  /** The fixture names of the studies a query string finds, in result order. */
  async function search(queryString: string, scope: AccessScope = ALL): Promise<FixtureName[]> {
    const result = await findStudies(f.db, parseQidoQuery('study', new URLSearchParams(queryString)), scope, { today: FIXTURE_TODAY });
    const byUid = new Map(Object.entries(f.studies).map(([name, files]) => [files.studyInstanceUid, name as FixtureName]));
    return result.matches.map((m) => byUid.get(uidOf(m)) ?? (uidOf(m) as FixtureName));
  }

  it('returns every visible study newest first without keys', async () => {
    assert.deepEqual(await search(''), ['hidden', 'smith', 'mueller', 'yamada', 'smithson']);
  });

  it('limits results to the facilities in scope, and an empty scope sees nothing', async () => {
    const scope: AccessScope = { kind: 'facilities', facilityIds: [f.facilityId] };
    assert.deepEqual(await search('', scope), ['smith', 'mueller', 'yamada', 'smithson']);
    assert.deepEqual(await search('', { kind: 'facilities', facilityIds: [f.otherFacilityId] }), ['hidden']);
    assert.deepEqual(await search('', { kind: 'facilities', facilityIds: [] }), []);
    assert.deepEqual(await search(`StudyInstanceUID=${f.studies.hidden.studyInstanceUid}`, scope), []);
  });

  it('matches a single value exactly and case-sensitively on IDs', async () => {
    assert.deepEqual(await search('PatientID=P-003'), ['smith']);
    assert.deepEqual(await search('00100020=P-003'), ['smith']);
    assert.deepEqual(await search('PatientID=p-003'), []);
    assert.deepEqual(await search('AccessionNumber=ACC-1002'), ['yamada']);
  });

  it('matches wildcards * and ? (case-folded for non-PN text)', async () => {
    assert.deepEqual(await search('AccessionNumber=ACC-100?'), ['smith', 'mueller', 'yamada', 'smithson']);
    assert.deepEqual(await search('PatientID=P-00*'), ['hidden', 'smith', 'mueller', 'yamada', 'smithson']);
    assert.deepEqual(await search('StudyDescription=ct*'), ['hidden', 'mueller', 'smithson']);
    assert.deepEqual(await search('StudyDescription=*brain'), ['yamada']);
    // LIKE's own wildcards are literal characters in a DICOM value
    assert.deepEqual(await search('AccessionNumber=ACC%'), []);
    assert.deepEqual(await search('AccessionNumber=ACC_1001'), []);
  });

  it('treats an empty value and a lone * as universal matching that returns the attribute', async () => {
    const [result] = (await findStudies(f.db, parseQidoQuery('study', new URLSearchParams('PatientID=P-002&StudyDescription=&IssuerOfPatientID=*')), ALL)).matches;
    assert.equal(result['00081030']?.Value?.[0], 'MR Brain');
    assert.equal(result['00100021']?.Value?.[0], 'TELEPACS-TEST');
  });

  it('matches UID lists separated by backslash or comma', async () => {
    const { mueller, smith } = f.studies;
    assert.deepEqual(await search(`StudyInstanceUID=${mueller.studyInstanceUid}\\${smith.studyInstanceUid}`), ['smith', 'mueller']);
    assert.deepEqual(await search(`StudyInstanceUID=${mueller.studyInstanceUid},${smith.studyInstanceUid}`), ['smith', 'mueller']);
  });

  it('matches date ranges, open at either end, and exact dates', async () => {
    assert.deepEqual(await search('StudyDate=20240110'), ['smith', 'mueller']);
    assert.deepEqual(await search('StudyDate=20231101-20240110'), ['smith', 'mueller', 'yamada']);
    assert.deepEqual(await search('StudyDate=-20231231'), ['yamada', 'smithson']);
    assert.deepEqual(await search('StudyDate=20240111-'), ['hidden']);
  });

  it('matches time ranges covering the whole last unit', async () => {
    assert.deepEqual(await search('StudyDate=20240110&StudyTime=-0930'), ['mueller']);
    assert.deepEqual(await search('StudyTime=1400-1530'), ['smith', 'yamada']);
    assert.deepEqual(await search('StudyTime=0930'), ['mueller']);
  });

  it('matches patient names case-, accent- and caret-insensitively', async () => {
    assert.deepEqual(await search('PatientName=MULLER^HANS'), ['mueller']);
    assert.deepEqual(await search('PatientName=müller^hans'), ['mueller']);
    assert.deepEqual(await search('PatientName=smith^jane'), ['smith']);
    // without fuzzymatching the whole name must match (word order matters)
    assert.deepEqual(await search('PatientName=Hans^Muller'), []);
    assert.deepEqual(await search('PatientName=Smith'), []);
  });

  it('matches patient name wildcards against any component group', async () => {
    assert.deepEqual(await search('PatientName=SMITH*'), ['smith', 'smithson']);
    assert.deepEqual(await search('PatientName=Sm?th^*'), ['smith']);
    assert.deepEqual(await search('PatientName=山田*'), ['yamada']);
    assert.deepEqual(await search('PatientName=Yamada^Taro'), ['yamada']);
  });

  it('with fuzzymatching finds names by word prefixes in any order', async () => {
    assert.deepEqual(await search('PatientName=hans mul&fuzzymatching=true'), ['mueller']);
    assert.deepEqual(await search('PatientName=smi&fuzzymatching=true'), ['smith', 'smithson']);
    assert.deepEqual(await search('PatientName=taro&fuzzymatching=true'), ['yamada']);
    assert.deepEqual(await search('ReferringPhysicianName=rita&fuzzymatching=true'), ['smith', 'mueller']);
  });

  it('matches ModalitiesInStudy on any listed modality', async () => {
    assert.deepEqual(await search('ModalitiesInStudy=SR'), ['mueller']);
    assert.deepEqual(await search('ModalitiesInStudy=MR\\US'), ['smith', 'yamada']);
    assert.deepEqual(await search('ModalitiesInStudy=US,MR'), ['smith', 'yamada']);
    assert.deepEqual(await search('ModalitiesInStudy=C'), []);
  });

  it('finds patients by birth date range and by age range (as of a given day)', async () => {
    assert.deepEqual(await search('PatientBirthDate=19700101-19801231'), ['mueller', 'smithson']);
    // on 2025-01-01: Müller is 44, Smithson 55, Yamada 69, Smith 14, Hidden 35
    assert.deepEqual(await search('PatientAge=040Y-055Y'), ['mueller', 'smithson']);
    assert.deepEqual(await search('PatientAge=-020Y'), ['smith']);
    assert.deepEqual(await search('PatientAge=069Y'), ['yamada']);
  });

  it('returns the PS3.18 default attributes with computed counts and modalities', async () => {
    const query = parseQidoQuery('study', new URLSearchParams('PatientID=P-001'));
    const [study] = (await findStudies(f.db, query, ALL, { baseUrl: 'http://pacs.test/dicomweb' })).matches;
    assert.deepEqual(study['00080061'], { vr: 'CS', Value: ['CT', 'SR'] });
    assert.deepEqual(study['00201206'], { vr: 'IS', Value: [2] });
    assert.deepEqual(study['00201208'], { vr: 'IS', Value: [4] });
    assert.deepEqual(study['00080005'], { vr: 'CS', Value: ['ISO_IR 192'] });
    assert.deepEqual(study['00080056'], { vr: 'CS', Value: ['ONLINE'] });
    assert.deepEqual(study['00081190'], { vr: 'UR', Value: [`http://pacs.test/dicomweb/studies/${f.studies.mueller.studyInstanceUid}`] });
    assert.deepEqual(study['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Müller^Hans' }] });
    assert.equal(study['00080020']?.Value?.[0], '20240110');
    // not a default attribute, and not asked for
    assert.equal(study['00081030'], undefined);
    assert.deepEqual(Object.keys(study), [...Object.keys(study)].sort());
  });

  it('adds includefield attributes (repeatable, comma-separated, by keyword or tag) and "all"', async () => {
    const some = parseQidoQuery('study', new URLSearchParams('PatientID=P-001&includefield=StudyDescription,00100021&includefield=PatientComments'));
    const [study] = (await findStudies(f.db, some, ALL)).matches;
    assert.equal(study['00081030']?.Value?.[0], 'CT Chest with contrast');
    assert.equal(study['00100021']?.Value?.[0], 'TELEPACS-TEST');
    assert.deepEqual(study['00104000'], { vr: 'LT' }, 'asked for but absent: returned empty');
    const everything = parseQidoQuery('study', new URLSearchParams('PatientID=P-001&includefield=all'));
    const [all] = (await findStudies(f.db, everything, ALL)).matches;
    assert.equal(all['00081030']?.Value?.[0], 'CT Chest with contrast');
    assert.equal(all['00080090']?.Value?.[0] && (all['00080090'].Value[0] as { Alphabetic: string }).Alphabetic, 'Referrer^Rita');
    assert.deepEqual(all['00201208'], { vr: 'IS', Value: [4] });
  });

  it('pages with limit and offset without overlap, and flags a cut at the server maximum', async () => {
    const pages: FixtureName[][] = [];
    for (let offset = 0; offset < 6; offset += 2) pages.push(await search(`limit=2&offset=${offset}`));
    assert.deepEqual(pages, [['hidden', 'smith'], ['mueller', 'yamada'], ['smithson']]);
    const capped = await findStudies(f.db, parseQidoQuery('study', new URLSearchParams('')), ALL, { maxResults: 3 });
    assert.equal(capped.matches.length, 3);
    assert.equal(capped.truncated, true);
    const clientLimit = await findStudies(f.db, parseQidoQuery('study', new URLSearchParams('limit=2')), ALL, { maxResults: 3 });
    assert.equal(clientLimit.truncated, false);
  });

  it('refuses to match a series-level attribute at study level with the reason', async () => {
    assert.throws(
      () => parseQidoQuery('study', new URLSearchParams('Modality=CT')),
      (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST' && /ModalitiesInStudy/.test(error.message),
    );
  });
});
