// Series and instance searches share findStudies' matching; these tests cover
// what is their own: parent attributes, ordering, includefield=all, scope.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessScope } from '../access';
import { findInstances } from './find-instances';
import { findSeries } from './find-series';
import { parseQidoQuery } from './parse-qido-query';
import { createSearchFixtures, type SearchFixtures } from './test-support/qido-fixtures';

const ALL: AccessScope = { kind: 'all' };
const params = (s: string) => new URLSearchParams(s);

describe('findSeries and findInstances', () => {
  let f: SearchFixtures;
  before(async () => {
    f = await createSearchFixtures();
  });
  after(async () => {
    await f.cleanup();
  });

  it('finds series by modality across studies, with the study attributes (PS3.18 10.6.3.3.2)', async () => {
    const { matches } = await findSeries(f.db, parseQidoQuery('series', params('Modality=CT')), ALL, { baseUrl: 'http://x/dicomweb' });
    assert.deepEqual(
      matches.map((m) => m['0020000E']?.Value?.[0]),
      [f.studies.hidden.seriesInstanceUids[0], f.studies.mueller.seriesInstanceUids[0], f.studies.smithson.seriesInstanceUids[0]],
    );
    const mueller = matches[1];
    assert.deepEqual(mueller['00201209'], { vr: 'IS', Value: [2] });
    assert.deepEqual(mueller['00080060'], { vr: 'CS', Value: ['CT'] });
    assert.equal(mueller['00200011']?.Value?.[0], 1);
    assert.equal(mueller['0020000D']?.Value?.[0], f.studies.mueller.studyInstanceUid);
    assert.equal(mueller['00100020']?.Value?.[0], 'P-001');
    assert.deepEqual(mueller['00201206'], { vr: 'IS', Value: [2] });
    assert.equal(
      mueller['00081190']?.Value?.[0],
      `http://x/dicomweb/studies/${f.studies.mueller.studyInstanceUid}/series/${f.studies.mueller.seriesInstanceUids[0]}`,
    );
  });

  it('below one study returns that study\'s series in SeriesNumber order, without repeating study attributes', async () => {
    const query = parseQidoQuery('series', params(`StudyInstanceUID=${f.studies.mueller.studyInstanceUid}`));
    const { matches } = await findSeries(f.db, query, ALL, { includeStudyAttributes: false });
    assert.deepEqual(matches.map((m) => m['00200011']?.Value?.[0]), [1, 2]);
    assert.deepEqual(matches.map((m) => m['00080060']?.Value?.[0]), ['CT', 'SR']);
    assert.equal(matches[0]['0020000D']?.Value?.[0], f.studies.mueller.studyInstanceUid, 'the key itself is returned');
    assert.equal(matches[0]['00100010'], undefined);
    assert.equal(matches[0]['00201206'], undefined);
  });

  it('matches patient and study keys in a series search', async () => {
    const query = parseQidoQuery('series', params('PatientName=smith*&StudyDate=20240110'));
    const { matches } = await findSeries(f.db, query, ALL);
    assert.deepEqual(matches.map((m) => m['0020000E']?.Value?.[0]), f.studies.smith.seriesInstanceUids);
  });

  it('hides series of studies outside the scope', async () => {
    const scope: AccessScope = { kind: 'facilities', facilityIds: [f.facilityId] };
    const query = parseQidoQuery('series', params(`SeriesInstanceUID=${f.studies.hidden.seriesInstanceUids[0]}`));
    assert.deepEqual((await findSeries(f.db, query, scope)).matches, []);
    assert.equal((await findSeries(f.db, query, ALL)).matches.length, 1);
  });

  it('lists instances in InstanceNumber order with the default instance attributes', async () => {
    const query = parseQidoQuery('instance', params(`SeriesInstanceUID=${f.studies.smith.seriesInstanceUids[0]}`));
    const { matches } = await findInstances(f.db, query, ALL, { baseUrl: 'http://x/dicomweb' });
    assert.deepEqual(matches.map((m) => m['00200013']?.Value?.[0]), [1, 2, 3]);
    assert.deepEqual(matches.map((m) => m['00080018']?.Value?.[0]), f.studies.smith.sopInstanceUids[0]);
    const first = matches[0];
    assert.equal(first['00280010']?.Value?.[0], 64);
    assert.equal(first['00280100']?.Value?.[0], 16);
    assert.equal(first['00080060']?.Value?.[0], 'US', 'series attributes above /instances');
    assert.equal(first['00100020']?.Value?.[0], 'P-003', 'study attributes above /instances');
    assert.deepEqual(first['00080056'], { vr: 'CS', Value: ['ONLINE'] });
    assert.equal(first['7FE00010'], undefined);
  });

  it('with includefield=all returns the whole header without bulk data', async () => {
    const query = parseQidoQuery('instance', params(`SOPInstanceUID=${f.studies.yamada.sopInstanceUids[0][0]}&includefield=all`));
    const [instance] = (await findInstances(f.db, query, ALL)).matches;
    assert.equal(instance['00080070']?.Value?.[0], 'Telepacs test fixtures', 'Manufacturer comes from the full header');
    assert.equal(instance['00200032']?.Value?.length, 3, 'ImagePositionPatient comes from the full header');
    assert.equal(instance['7FE00010'], undefined);
    assert.ok(Object.values(instance).every((element) => element.BulkDataURI === undefined && element.InlineBinary === undefined));
    assert.deepEqual(instance['00080005'], { vr: 'CS', Value: ['ISO_IR 192'] });
  });

  it('matches instance and study keys together in an instance search', async () => {
    const query = parseQidoQuery('instance', params('InstanceNumber=3&ModalitiesInStudy=US'));
    const { matches } = await findInstances(f.db, query, ALL);
    assert.deepEqual(matches.map((m) => m['00080018']?.Value?.[0]), [f.studies.smith.sopInstanceUids[0][2]]);
  });
});
