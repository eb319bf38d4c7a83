// The TID 1500 report builder, judged by reading its output back with dcmjs
// (a Part 10 parser of its own), and by walking it the way OHIF 3.13's SR
// handler and the Cornerstone3D adapters walk a report they are to show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { dcmjsDictToDicomJson } from '../dicom-json';
import { decimalString } from './content-items';
import { CORNERSTONE_3D_TAG, MeasurementReportInputError, type MeasurementTool } from './measurement-groups';
import { ENHANCED_SR_SOP_CLASS, buildMeasurementReport, type MeasurementReportInput, type ReportMeasurementInput } from './measurement-report';
import { newUid, uidForIdentifier, uidFromUuid } from './uids';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

// A naturalized dataset has no static shape (any keyword, sequences that are also
// items through dcmjs's accessors); the assertions below are what checks its shape.
type Item = Record<string, any>;

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1';
const STUDY = '2.25.1001';
const SERIES_A = '2.25.2001';
const SERIES_B = '2.25.2002';

function image(series: string, sop: string, frameNumber?: number): ReportMeasurementInput['image'] {
  return { seriesInstanceUid: series, sopInstanceUid: sop, sopClassUid: frameNumber ? ENHANCED_CT : CT, ...(frameNumber ? { frameNumber } : {}) };
}

const UUIDS = {
  length: '6f1c3f0e-3d1b-4c55-9a1e-2a7d52a1c001',
  angle: '6f1c3f0e-3d1b-4c55-9a1e-2a7d52a1c002',
  arrow: '6f1c3f0e-3d1b-4c55-9a1e-2a7d52a1c003',
  ellipse: '6f1c3f0e-3d1b-4c55-9a1e-2a7d52a1c004',
  rectangle: '6f1c3f0e-3d1b-4c55-9a1e-2a7d52a1c005',
  freehand: 'freehand-7',
};

function measurements(): ReportMeasurementInput[] {
  return [
    { tool: 'Length', trackingId: UUIDS.length, image: image(SERIES_A, '2.25.3001'), imagePoints: [[10.5, 12.25], [40, 52]], values: { length: 48.123456789012345 }, observerName: 'Anna Berg' },
    { tool: 'Angle', trackingId: UUIDS.angle, image: image(SERIES_A, '2.25.3001'), imagePoints: [[10, 40], [30, 20], [50, 40]], values: { angle: 90 }, observerName: 'Anna Berg' },
    { tool: 'ArrowAnnotate', trackingId: UUIDS.arrow, image: image(SERIES_A, '2.25.3002'), imagePoints: [[20, 20], [35, 35]], text: 'Cortical break', observerName: 'Bo^Chen' },
    {
      tool: 'EllipticalROI',
      trackingId: UUIDS.ellipse,
      image: image(SERIES_A, '2.25.3002'),
      // [bottom, top, left, right]: the left-right axis is the longer one
      imagePoints: [[32, 40], [32, 24], [20, 32], [44, 32]],
      worldPoints: [[0, 8, 0], [0, -8, 0], [-12, 0, 0], [12, 0, 0]],
      values: { area: 301.59, areaUnit: 'mm²', mean: 41.5, stdDev: 12.25, min: -20, max: 110, modalityUnit: 'HU' },
      observerName: 'Bo Chen',
    },
    {
      tool: 'RectangleROI',
      trackingId: UUIDS.rectangle,
      image: image(SERIES_B, '2.25.4001', 3),
      // top left, top right, bottom left, bottom right
      imagePoints: [[10, 10], [30, 10], [10, 20], [30, 20]],
      values: { area: 200, areaUnit: 'px²', mean: 7, stdDev: 1.5, modalityUnit: '' },
      observerName: 'Anna Berg',
    },
    {
      tool: 'PlanarFreehandROI',
      trackingId: UUIDS.freehand,
      image: image(SERIES_B, '2.25.4001', 3),
      imagePoints: [[10, 10], [20, 8], [30, 12], [28, 25], [12, 24]],
      values: { area: 350.5, areaUnit: 'mm²', mean: 3.2, stdDev: 0.4, modalityUnit: 'SUV' },
      observerName: 'Bo Chen',
    },
  ];
}

function reportInput(overrides: Partial<MeasurementReportInput> = {}): MeasurementReportInput {
  return {
    patientStudy: {
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jörg' }] },
      '00100020': { vr: 'LO', Value: ['P-42'] },
      '00100021': { vr: 'LO', Value: ['HOSPITAL-A'] },
      '00100030': { vr: 'DA', Value: ['19600229'] },
      '00100040': { vr: 'CS', Value: ['M'] },
      '0020000D': { vr: 'UI', Value: [STUDY] },
      '00080020': { vr: 'DA', Value: ['20240115'] },
      '00080030': { vr: 'TM', Value: ['101500'] },
      '00080050': { vr: 'SH', Value: ['ACC-9'] },
      '00080090': { vr: 'PN', Value: [{ Alphabetic: 'Referrer^Rita' }] },
      '00081030': { vr: 'LO', Value: ['CT CHEST'] },
      '00101010': { vr: 'AS', Value: ['064Y'] }, // Patient Study module: not copied
    },
    studyInstanceUid: STUDY,
    seriesInstanceUid: '2.25.5001',
    seriesNumber: 901,
    seriesDescription: 'Teleconsultation measurements',
    seriesCreatedAt: new Date('2026-03-01T09:00:00Z'),
    sopInstanceUid: '2.25.6001',
    instanceNumber: 1,
    createdAt: new Date('2026-03-01T09:30:00.250Z'),
    completion: 'COMPLETE',
    measurements: measurements(),
    ...overrides,
  };
}

function read(bytes: Uint8Array): { dataset: Item; meta: Item; dict: Record<string, { vr?: string; Value?: unknown }> } {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file = DicomMessage.readFile(buffer);
  return { dataset: plain(DicomMetaDictionary.naturalizeDataset(file.dict)), meta: plain(DicomMetaDictionary.naturalizeDataset(file.meta)), dict: file.dict };
}

/** The naturalized dataset without dcmjs's bookkeeping (_vrMap), for deepEqual. */
function plain(value: unknown): Item {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === '_vrMap' ? undefined : inner)));
}

const byCode = (value: string) => (item: Item) => item.ConceptNameCodeSequence?.[0]?.CodeValue === value;

function groupsOf(dataset: Item): Item[] {
  return dataset.ContentSequence.find(byCode('126010')).ContentSequence;
}

function scoordOf(group: Item): Item {
  const num = group.ContentSequence.find((item: Item) => item.ValueType === 'NUM');
  return num.ContentSequence.find((item: Item) => item.ValueType === 'SCOORD');
}

describe('buildMeasurementReport', () => {
  it('writes an Enhanced SR Part 10 file with the TID 1500 root, the study copied from the index and a new series', () => {
    const { dataset, meta, dict } = read(buildMeasurementReport(reportInput()));
    assert.equal(meta.TransferSyntaxUID, '1.2.840.10008.1.2.1');
    assert.equal(meta.MediaStorageSOPClassUID, ENHANCED_SR_SOP_CLASS);
    assert.equal(meta.MediaStorageSOPInstanceUID, '2.25.6001');
    assert.equal(dataset.SOPClassUID, ENHANCED_SR_SOP_CLASS);
    assert.equal(dataset.SpecificCharacterSet, 'ISO_IR 192');

    assert.deepEqual(dataset.PatientName, [{ Alphabetic: 'Müller^Jörg' }]);
    assert.equal(dataset.PatientID, 'P-42');
    assert.equal(dataset.IssuerOfPatientID, 'HOSPITAL-A');
    assert.equal(dataset.PatientBirthDate, '19600229');
    assert.equal(dataset.PatientSex, 'M');
    assert.equal(dataset.StudyInstanceUID, STUDY);
    assert.equal(dataset.StudyDate, '20240115');
    assert.equal(dataset.StudyTime, '101500');
    assert.equal(dataset.AccessionNumber, 'ACC-9');
    assert.deepEqual(dataset.ReferringPhysicianName, [{ Alphabetic: 'Referrer^Rita' }]);
    assert.equal(dataset.StudyDescription, 'CT CHEST');
    assert.ok('00200010' in dict, 'StudyID is Type 2: present, empty when the index has none');
    assert.equal(dataset.PatientAge, undefined, 'only Patient and General Study attributes are copied');

    assert.equal(dataset.Modality, 'SR');
    assert.equal(dataset.SeriesInstanceUID, '2.25.5001');
    assert.equal(dataset.SeriesNumber, 901);
    assert.equal(dataset.SeriesDescription, 'Teleconsultation measurements');
    assert.deepEqual(dataset.ReferencedPerformedProcedureStepSequence, []);
    assert.equal(dataset.Manufacturer, 'Telepacs');
    assert.equal(dataset.InstanceNumber, 1);
    assert.equal(dataset.CompletionFlag, 'COMPLETE');
    assert.equal(dataset.VerificationFlag, 'UNVERIFIED');
    assert.match(dataset.ContentDate, /^\d{8}$/);
    assert.match(dataset.ContentTime, /^\d{6}\.\d{3}$/);
    assert.match(dataset.TimezoneOffsetFromUTC, /^[+-]\d{4}$/);
    assert.equal(dataset.PredecessorDocumentsSequence, undefined);

    assert.equal(dataset.ValueType, 'CONTAINER');
    assert.deepEqual(dataset.ConceptNameCodeSequence[0], { CodeValue: '126000', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Imaging Measurement Report' });
    assert.equal(dataset.ContinuityOfContent, 'SEPARATE');
    assert.equal(dataset.ContentTemplateSequence[0].MappingResource, 'DCMR');
    assert.equal(dataset.ContentTemplateSequence[0].TemplateIdentifier, '1500');
    const root = dataset.ContentSequence as Item[];
    assert.deepEqual(
      root.map((item) => `${item.RelationshipType} ${item.ValueType} ${item.ConceptNameCodeSequence[0].CodeMeaning}`),
      [
        'HAS CONCEPT MOD CODE Language of Content Item and Descendants',
        'HAS OBS CONTEXT CODE Observer Type',
        'HAS OBS CONTEXT PNAME Person Observer Name',
        'HAS OBS CONTEXT CODE Observer Type',
        'HAS OBS CONTEXT PNAME Person Observer Name',
        'HAS CONCEPT MOD CODE Procedure reported',
        'CONTAINS CONTAINER Image Library',
        'CONTAINS CONTAINER Imaging Measurements',
      ],
    );
    assert.deepEqual(
      root.filter(byCode('121008')).map((item) => item.PersonName[0].Alphabetic),
      ['Anna Berg', 'Bo Chen'],
      'one TID 1002 observer per author, the caret of "Bo^Chen" (a PN delimiter) folded',
    );
  });

  it('writes one TID 1501 group per annotation: tracking identifier and UID, author, values with UCUM units, geometry on the image', () => {
    const { dataset } = read(buildMeasurementReport(reportInput()));
    const groups = groupsOf(dataset);
    assert.equal(groups.length, 6);
    const tools: MeasurementTool[] = ['Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI', 'PlanarFreehandROI'];
    groups.forEach((group, index) => {
      assert.deepEqual(group.ConceptNameCodeSequence[0].CodeValue, '125007');
      const items = group.ContentSequence as Item[];
      assert.equal(items.find(byCode('112039'))?.TextValue, `${CORNERSTONE_3D_TAG}:${tools[index]}`);
      assert.equal(items.find(byCode('121008'))?.PersonName[0].Alphabetic, index === 2 ? 'Bo Chen' : measurements()[index].observerName);
    });
    const trackingUids = groups.map((group) => group.ContentSequence.find(byCode('112040')).UID);
    assert.equal(trackingUids[0], uidFromUuid(UUIDS.length), "a UUID annotation id becomes its PS3.5 B.2 UID, so later versions track it under the same UID");
    assert.equal(trackingUids[5], uidForIdentifier(UUIDS.freehand));
    assert.equal(new Set(trackingUids).size, 6);

    const numbers = (group: Item) =>
      group.ContentSequence.filter((item: Item) => item.ValueType === 'NUM').map((item: Item) => {
        const value = item.MeasuredValueSequence[0];
        return `${item.ConceptNameCodeSequence[0].CodeMeaning} ${value.NumericValue} ${value.MeasurementUnitsCodeSequence[0].CodeValue}`;
      });
    const [length, angle, arrow, ellipse, rectangle, freehand] = groups;
    assert.deepEqual(numbers(length), ['Length 48.1234567890123 mm']);
    assert.equal(length.ContentSequence.find(byCode('410668003')).MeasuredValueSequence[0].FloatingPointValue, 48.123456789012345, 'the full double beside the 16-character DS');
    assert.deepEqual(numbers(angle), ['Cobb angle 90 deg']);
    assert.deepEqual(numbers(arrow), ['Center 0 1']);
    assert.equal(arrow.ContentSequence.find(byCode('121106'))?.TextValue, 'Cortical break');
    assert.deepEqual(numbers(ellipse), ['Area 301.59 mm2', "Maximum 110 [hnsf'U]", "Minimum -20 [hnsf'U]", "Mean 41.5 [hnsf'U]", "Standard Deviation 12.25 [hnsf'U]"]);
    assert.deepEqual(numbers(rectangle), ['Area 200 1', 'Mean 7 1', 'Standard Deviation 1.5 1']);
    assert.deepEqual(numbers(freehand), ['Area 350.5 mm2', 'Mean 3.2 g/ml{SUVbw}', 'Standard Deviation 0.4 g/ml{SUVbw}']);

    const geometry = (group: Item) => {
      const scoord = scoordOf(group);
      assert.equal(scoord.RelationshipType, 'INFERRED FROM');
      const reference = scoord.ContentSequence[0];
      assert.equal(reference.RelationshipType, 'SELECTED FROM');
      assert.equal(reference.ValueType, 'IMAGE');
      return { type: scoord.GraphicType, data: Array.from(scoord.GraphicData as number[]), sop: reference.ReferencedSOPSequence[0] };
    };
    assert.deepEqual(geometry(length).data, [10.5, 12.25, 40, 52]);
    assert.deepEqual(geometry(angle).data, [10, 40, 30, 20, 30, 20, 50, 40], 'two lines meeting at the vertex (TID 300 Cobb angle)');
    assert.deepEqual(geometry(arrow).data, [20, 20, 35, 35], 'head first');
    assert.equal(geometry(ellipse).type, 'ELLIPSE');
    assert.deepEqual(geometry(ellipse).data, [20, 32, 44, 32, 32, 40, 32, 24], 'C.18.6.1.2: the major (left-right) axis first');
    assert.deepEqual(geometry(rectangle).data, [10, 10, 30, 10, 30, 20, 10, 20, 10, 10], 'around the rectangle, closed');
    assert.deepEqual(geometry(freehand).data, [10, 10, 20, 8, 30, 12, 28, 25, 12, 24, 10, 10], 'the contour closed by its first point');
    assert.deepEqual(geometry(length).sop, { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '2.25.3001' }, 'no frame number for a single-frame image');
    assert.deepEqual(geometry(rectangle).sop, { ReferencedSOPClassUID: ENHANCED_CT, ReferencedSOPInstanceUID: '2.25.4001', ReferencedFrameNumber: 3 });
  });

  it('lists each referenced image once in the Image Library and the evidence, grouped by series', () => {
    const { dataset } = read(buildMeasurementReport(reportInput()));
    const library = dataset.ContentSequence.find(byCode('111028')).ContentSequence[0];
    assert.equal(library.ConceptNameCodeSequence[0].CodeMeaning, 'Image Library Group');
    assert.deepEqual(
      library.ContentSequence.map((item: Item) => [item.ValueType, item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID]),
      [['IMAGE', '2.25.3001'], ['IMAGE', '2.25.3002'], ['IMAGE', '2.25.4001']],
    );
    const evidence = dataset.CurrentRequestedProcedureEvidenceSequence;
    assert.equal(evidence.length, 1);
    assert.equal(evidence[0].StudyInstanceUID, STUDY);
    assert.deepEqual(
      evidence[0].ReferencedSeriesSequence.map((series: Item) => [series.SeriesInstanceUID, series.ReferencedSOPSequence.map((sop: Item) => sop.ReferencedSOPInstanceUID)]),
      [[SERIES_A, ['2.25.3001', '2.25.3002']], [SERIES_B, ['2.25.4001']]],
    );
  });

  it('refers to the version it replaces and says whether the session could still change', () => {
    const { dataset } = read(
      buildMeasurementReport(reportInput({ instanceNumber: 2, completion: 'PARTIAL', sopInstanceUid: '2.25.6002', predecessor: { seriesInstanceUid: '2.25.5001', sopInstanceUid: '2.25.6001' } })),
    );
    assert.equal(dataset.InstanceNumber, 2);
    assert.equal(dataset.CompletionFlag, 'PARTIAL');
    const predecessor = dataset.PredecessorDocumentsSequence[0];
    assert.equal(predecessor.StudyInstanceUID, STUDY);
    assert.equal(predecessor.ReferencedSeriesSequence[0].SeriesInstanceUID, '2.25.5001');
    assert.deepEqual(predecessor.ReferencedSeriesSequence[0].ReferencedSOPSequence[0], { ReferencedSOPClassUID: ENHANCED_SR_SOP_CLASS, ReferencedSOPInstanceUID: '2.25.6001' });
  });

  it("reads the way OHIF 3.13 reads it: its SR handler's measurements and the Cornerstone3D adapters' tool state", () => {
    // OHIF gets the report as WADO-RS metadata (DICOM JSON, as our index stores it) and
    // naturalizes it with dcmjs; the steps below are those of
    // extensions/cornerstone-dicom-sr/src/getSopClassHandlerModule.ts (_getMeasurements,
    // _processMeasurement, isRehydratable) and of @cornerstonejs/adapters
    // Cornerstone3D/MeasurementReport.js (generateToolState, getSetupMeasurementData).
    const { dict } = read(buildMeasurementReport(reportInput()));
    const instance = DicomMetaDictionary.naturalizeDataset(JSON.parse(JSON.stringify(dcmjsDictToDicomJson(dict, null)))) as Item;
    assert.equal(instance.ConceptNameCodeSequence.CodeValue, '126000', 'isImagingMeasurementReport');
    assert.equal(instance.ContentTemplateSequence.TemplateIdentifier, '1500', 'generateToolState reads TID 1500 only');
    const imagingMeasurements = instance.ContentSequence.find((item: Item) => item.ConceptNameCodeSequence.CodeMeaning === 'Imaging Measurements');
    const groups = imagingMeasurements.ContentSequence.filter((item: Item) => item.ConceptNameCodeSequence.CodeMeaning === 'Measurement Group');
    assert.equal(groups.length, 6);
    const toArray = (value: unknown): Item[] => (Array.isArray(value) ? value : [value]) as Item[];

    for (const group of groups) {
      const items = toArray(group.ContentSequence);
      // The handler reads item.ConceptNameCodeSequence.CodeValue of every item, and the concept of
      // every top-level SCOORD (isTextPosition): none may lack one.
      for (const item of items) assert.ok(item.ConceptNameCodeSequence?.CodeValue, `${item.ValueType} without a concept name`);
      const trackingIdentifier = items.find((item) => item.ConceptNameCodeSequence.CodeMeaning === 'Tracking Identifier')?.TextValue as string;
      const tool = trackingIdentifier.slice(`${CORNERSTONE_3D_TAG}:`.length);
      assert.ok(trackingIdentifier.startsWith(`${CORNERSTONE_3D_TAG}:`), 'picks the adapter (getAdapterForTrackingIdentifier)');
      assert.match(items.find((item) => item.ValueType === 'UIDREF')?.UID, /^2\.25\.\d+$/, 'the first UIDREF is the Tracking Unique Identifier');

      // getSetupMeasurementData: the first NUM, the SCOORD in it, the image it was selected from
      const num = items.find((item) => item.ValueType === 'NUM');
      assert.ok(num, `${tool}: a NUM carries the geometry`);
      assert.ok(num.MeasuredValueSequence.NumericValue !== undefined, `${tool}: the adapters read NUMGroup.MeasuredValueSequence.NumericValue`);
      const scoord = toArray(num.ContentSequence).find((item) => item.ValueType === 'SCOORD');
      assert.ok(scoord, `${tool}: SCOORD inside the first NUM`);
      const { ReferencedSOPInstanceUID, ReferencedFrameNumber = 1 } = scoord.ContentSequence.ReferencedSOPSequence;
      assert.match(`${ReferencedSOPInstanceUID}:${ReferencedFrameNumber}`, /^2\.25\.\d+:\d+$/, 'the sopInstanceUIDToImageIdMap key');
      const points = scoord.GraphicData.length / 2;
      switch (tool) {
        case 'Length':
          assert.equal(points, 2);
          assert.equal(num.MeasuredValueSequence.MeasurementUnitsCodeSequence.CodeValue, 'mm');
          break;
        case 'Angle':
          assert.equal(points, 4, 'Angle reads points 0, 1 and 3');
          break;
        case 'ArrowAnnotate':
          assert.ok(points === 1 || points === 2);
          assert.equal(items.find((item) => item.ConceptNameCodeSequence.CodeValue === '121106')?.TextValue, 'Cortical break', 'the commentGroup becomes the arrow text');
          break;
        case 'EllipticalROI':
          assert.equal(scoord.GraphicType, 'ELLIPSE');
          assert.equal(points, 4);
          assert.equal(num.ConceptNameCodeSequence.CodeMeaning, 'Area', 'the first NUM is the area');
          break;
        case 'RectangleROI':
          assert.equal(scoord.GraphicType, 'POLYLINE');
          assert.ok(points === 4 || points === 5, 'RectangleROI.isValidMeasurement');
          assert.ok(items.some((item) => item.ValueType === 'NUM' && item.ConceptNameCodeSequence.CodeMeaning === 'Area'), 'found by CodeMeaning "Area"');
          break;
        case 'PlanarFreehandROI': {
          const data = scoord.GraphicData as number[];
          assert.deepEqual([data[0], data[1]], [data[data.length - 2], data[data.length - 1]], 'closed: first and last points the same (closedContourThreshold)');
          break;
        }
        default:
          assert.fail(`no Cornerstone3D adapter for ${tool}`);
      }
    }
  });

  it('refuses what it cannot represent, naming the measurement', () => {
    const bad = (change: Partial<ReportMeasurementInput>) => reportInput({ measurements: [{ ...measurements()[0], ...change }] });
    assert.throws(() => buildMeasurementReport(reportInput({ measurements: [] })), MeasurementReportInputError);
    assert.throws(() => buildMeasurementReport(bad({ imagePoints: [[1, 2]] })), /measurement 1 \(Length\): 1 image points, expected 2/);
    assert.throws(() => buildMeasurementReport(bad({ imagePoints: [[1, 2], [Number.NaN, 4]] })), /finite/);
    assert.throws(() => buildMeasurementReport(bad({ values: { length: Number.POSITIVE_INFINITY } })), /length is not a finite number/);
    assert.throws(() => buildMeasurementReport(bad({ tool: 'PlanarFreehandROI', imagePoints: [[1, 2], [3, 4]] })), /at least 3/);
  });

  it('keeps a group without values drawable: its region as a TID 1410 Image Region', () => {
    const { dataset } = read(buildMeasurementReport(reportInput({ measurements: [{ ...measurements()[3], values: {} }] })));
    const items = groupsOf(dataset)[0].ContentSequence as Item[];
    assert.equal(items.some((item) => item.ValueType === 'NUM'), false);
    const region = items.find((item) => item.ValueType === 'SCOORD');
    assert.equal(region?.ConceptNameCodeSequence[0].CodeMeaning, 'Image Region');
    assert.equal(region?.GraphicType, 'ELLIPSE');
  });
});

describe('decimalString (PS3.5 DS: at most 16 characters)', () => {
  it('keeps short values exact and rounds long ones to fit', () => {
    assert.equal(decimalString(42), '42');
    assert.equal(decimalString(-0), '0');
    assert.equal(decimalString(-20.5), '-20.5');
    assert.equal(decimalString(48.123456789012345), '48.1234567890123');
    assert.equal(decimalString(-1234567.123456789), '-1234567.1234568');
    assert.equal(decimalString(1.5e-12), '1.5e-12');
    assert.equal(decimalString(123456789012345678901), '1.2345678901e+20');
    for (const value of [Math.PI * 1e9, -Math.E / 1e7, 2 ** 60]) assert.ok(decimalString(value).length <= 16, String(value));
    assert.throws(() => decimalString(Number.NaN), RangeError);
  });
});

describe('SR UIDs (PS3.5 B.2)', () => {
  it('writes a UUID as one decimal integer under 2.25', () => {
    // The example of PS3.5 B.2
    assert.equal(uidFromUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), '2.25.329800735698586629295641978511506172918');
    assert.match(newUid(), /^2\.25\.(0|[1-9]\d*)$/);
    assert.notEqual(newUid(), newUid());
    assert.equal(uidForIdentifier('freehand-7'), uidForIdentifier('freehand-7'), 'the same annotation, the same tracking UID');
    assert.ok(uidForIdentifier('x'.repeat(64)).length <= 64);
  });
});
