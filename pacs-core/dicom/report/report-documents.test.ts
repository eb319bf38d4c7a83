// The two DICOM documents of a report (issue 14), judged by implementations
// that are not ours: dciodvfy (dicom3tools) checks each IOD, DCMTK's dsrdump
// reads the SR as a viewer would, DCMTK's dcm2pdf takes the PDF back out; then
// both go through a real archive (SQLite or PostgreSQL, TEST_DATABASE) and
// are found again by QIDO on their SOP class.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import PDFDocument from 'pdfkit';
import { createArchiveHarness, type ArchiveHarness } from '../../../test/support/archive-harness';
import { hasDcmtk, makeStudy } from '../../../test/support/fixtures';
import { isArchiveError } from '../../errors';
import { findInstances, parseQidoQuery } from '../../index';
import type { DicomJsonDataset } from '../dicom-json';
import { newUid } from '../sr/uids';
import { ENCAPSULATED_PDF_SOP_CLASS, buildEncapsulatedPdf } from './encapsulated-pdf';
import { ENHANCED_SR_SOP_CLASS, buildReportSr, type ReportSrInput } from './report-sr';

// Under CI the tools are installed by .ci/run, so nothing may be skipped there.
const hasDciodvfy = spawnSync('dciodvfy', ['-help'], { stdio: 'ignore' }).error === undefined;
const noDciodvfy = hasDciodvfy || process.env.CI ? undefined : 'dicom3tools is not installed (apt-get install -y dicom3tools)';
const noDcmtk = hasDcmtk() || process.env.CI ? undefined : 'DCMTK is not installed (apt-get install -y dcmtk)';

const PATIENT_NAME = 'Соколова^Анна';
const study = makeStudy({
  patientId: 'REP-14',
  issuerOfPatientId: 'CITY-HOSPITAL',
  patientName: PATIENT_NAME,
  patientSex: 'F',
  patientBirthDate: '19710304',
  specificCharacterSet: 'ISO_IR 192',
  accessionNumber: 'ACC-REP-14',
  studyId: 'S-14',
  referringPhysicianName: 'Орлов^Олег',
  series: 1,
  instancesPerSeries: 2,
  modality: 'CT',
  seed: 'report-documents',
});
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const IMPRESSION = 'Очаговых изменений не выявлено. No focal lesion.';
/** What was measured on the key image (column, row): a length, an angle, an arrow with its words */
const MEASUREMENTS = [
  { tool: 'Length', imagePoints: [[10, 20], [40, 20]], values: { length: 23.4 } },
  { tool: 'Angle', imagePoints: [[10, 10], [20, 20], [30, 10]], values: { angle: 90 } },
  { tool: 'ArrowAnnotate', imagePoints: [[32, 32], [50, 12]], text: 'Узел' },
] as const satisfies NonNullable<NonNullable<ReportSrInput['keyImages']>[number]['measurements']>;

function makePdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An odd number of bytes (a trailing newline is still a valid PDF), so the test covers the OB padding
    doc.on('end', () => {
      const bytes = Buffer.concat(chunks);
      resolve(bytes.length % 2 ? bytes : Buffer.concat([bytes, Buffer.from('\n')]));
    });
    doc.on('error', reject);
    doc.text('CT chest report. Impression: no focal lesion.');
    doc.end();
  });
}

interface Tool {
  status: number | null;
  lines: string[];
  stdout: string;
}

function run(tool: string, args: readonly string[]): Tool {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, lines: `${result.stdout}\n${result.stderr}`.split('\n').filter(Boolean) };
}

/** dciodvfy's verdict: the IOD it recognised, its errors, and its warnings but the ones listed as unavoidable. */
function dciodvfy(file: string): { iod: string | undefined; errors: string[]; warnings: string[]; all: string } {
  const { lines } = run('dciodvfy', [file]);
  // The one warning accepted: a portal user's display name ("Петров Пётр") kept whole as a PN's
  // family name, which dciodvfy calls the "Retired Person Name form"; splitting it would be a guess.
  const warnings = lines.filter((line) => line.startsWith('Warning') && !/Retired Person Name form/.test(line));
  return { iod: lines.find((line) => /^[A-Za-z]+$/.test(line)), errors: lines.filter((line) => line.startsWith('Error')), warnings, all: lines.join('\n') };
}

describe('report documents: Encapsulated PDF and TID 2000 SR', () => {
  let h: ArchiveHarness;
  let dir: string;
  let patientStudy: DicomJsonDataset;
  let pdf: Buffer;
  const files: Record<string, string> = {};
  const uids = { pdfSeries: newUid(), pdfSop: newUid(), srSeries: newUid(), srSop: newUid(), amendedSop: newUid(), preliminarySop: newUid() };

  function srInput(overrides: Partial<ReportSrInput> = {}): ReportSrInput {
    return {
      patientStudy,
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: uids.srSeries,
      seriesNumber: 9001,
      seriesDescription: 'Report',
      sopInstanceUid: uids.srSop,
      instanceNumber: 1,
      createdAt: new Date('2026-12-06T10:00:00Z'),
      status: 'final',
      author: 'Петров Пётр',
      organization: 'Городская больница №1',
      signer: { name: 'Петров Пётр', signedAt: new Date('2026-12-06T10:05:00Z') },
      language: 'ru',
      sections: [
        { heading: 'clinicalInformation', title: 'Клинические данные', text: 'Кашель две недели.' },
        { heading: 'currentProcedure', title: 'Методика', text: 'CT chest without contrast.' },
        { heading: 'comparison', text: '' },
        { heading: 'findings', title: 'Описание', text: 'Lungs clear.\nNo effusion.' },
        { heading: 'impressions', title: 'Заключение', text: IMPRESSION },
      ],
      keyImages: [{ seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][1], sopClassUid: CT_IMAGE, measurements: MEASUREMENTS }],
      ...overrides,
    };
  }

  before(async () => {
    h = await createArchiveHarness();
    dir = mkdtempSync(path.join(tmpdir(), 'telepacs-report-dicom-'));
    for (const file of study) await h.archive.ingest(file, { kind: 'stow', principalLabel: 'test' }, h.facilityId);
    const row = await h.db.study.findFirstOrThrow({ where: { studyInstanceUid: study.studyInstanceUid } });
    patientStudy = JSON.parse(row.attributes) as DicomJsonDataset;
    pdf = await makePdf();
    const write = (name: string, bytes: Uint8Array) => {
      files[name] = path.join(dir, `${name}.dcm`);
      writeFileSync(files[name], bytes);
    };
    write(
      'pdf',
      buildEncapsulatedPdf({
        pdf,
        patientStudy,
        studyInstanceUid: study.studyInstanceUid,
        seriesInstanceUid: uids.pdfSeries,
        seriesNumber: 9000,
        seriesDescription: 'Report (PDF)',
        sopInstanceUid: uids.pdfSop,
        instanceNumber: 1,
        createdAt: new Date('2026-12-06T10:05:00Z'),
        documentTitle: 'Заключение КТ органов грудной клетки',
      }),
    );
    write('sr', buildReportSr(srInput()));
    write('amended', buildReportSr(srInput({ sopInstanceUid: uids.amendedSop, instanceNumber: 2, predecessor: { seriesInstanceUid: uids.srSeries, sopInstanceUid: uids.srSop } })));
    write('preliminary', buildReportSr(srInput({ sopInstanceUid: uids.preliminarySop, status: 'preliminary', signer: undefined, keyImages: [] })));
  });

  after(async () => {
    await h?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes an Encapsulated PDF that dciodvfy passes without errors or warnings', { skip: noDciodvfy }, () => {
    const result = dciodvfy(files.pdf);
    assert.equal(result.iod, 'EncapsulatedPDF', result.all);
    assert.deepEqual(result.errors, [], result.all);
    assert.deepEqual(result.warnings, [], result.all);
  });

  it('keeps the PDF byte for byte (dcm2pdf takes it out again) and files it under the patient and study', { skip: noDcmtk }, () => {
    const out = path.join(dir, 'out.pdf');
    assert.equal(run('dcm2pdf', [files.pdf, out]).status, 0);
    assert.equal(pdf.length % 2, 1, 'an odd length: the padding byte of the OB value must not come back');
    assert.deepEqual(readFileSync(out), pdf);
    const dump = run('dcmdump', ['+U8', files.pdf]).stdout;
    assert.match(dump, /\(0008,0016\) UI =EncapsulatedPDFStorage/);
    assert.match(dump, /\(0008,0060\) CS \[DOC\]/);
    assert.match(dump, /\(0010,0010\) PN \[Соколова\^Анна\]/);
    assert.match(dump, /\(0010,0020\) LO \[REP-14\]/);
    assert.match(dump, /\(0010,0021\) LO \[CITY-HOSPITAL\]/);
    assert.match(dump, /\(0008,0050\) SH \[ACC-REP-14\]/);
    assert.match(dump, /\(0020,0010\) SH \[S-14\]/);
    assert.match(dump, /\(0028,0301\) CS \[YES\]/);
    assert.match(dump, /\(0042,0010\) ST \[Заключение КТ органов грудной клетки\]/);
    assert.match(dump, /\(0042,0012\) LO \[application\/pdf\]/);
    assert.match(dump, new RegExp(`\\(0042,0015\\) UL ${pdf.length}\\b`));
    assert.match(dump, /\(0008,0100\) SH \[18748-4\]/);
  });

  it('writes signed, amended and preliminary SRs that dciodvfy passes without errors', { skip: noDciodvfy }, () => {
    for (const name of ['sr', 'amended', 'preliminary']) {
      const result = dciodvfy(files[name]);
      assert.equal(result.iod, 'EnhancedSR', `${name}: ${result.all}`);
      assert.deepEqual(result.errors, [], `${name}: ${result.all}`);
      assert.deepEqual(result.warnings, [], `${name}: ${result.all}`);
    }
  });

  it('is read by dsrdump as a verified TID 2000 report with its sections, in Cyrillic too', { skip: noDcmtk }, () => {
    const result = run('dsrdump', ['+U8', '+Pl', '+Pc', '+Pt', '+Pu', files.sr]);
    assert.equal(result.status, 0, result.lines.join('\n'));
    // dsrdump checks the Enhanced SR relationship constraints while reading; it warns only that its
    // VR checker does not know UTF-8, which it then reads all the same.
    const problems = result.lines.filter((line) => /^[EWF]:/.test(line) && !/does not support this Specific Character Set: ISO_IR 192/.test(line));
    assert.deepEqual(problems, []);
    const dump = result.stdout;
    assert.match(dump, /^Enhanced SR Document/m);
    assert.match(dump, /Patient\s+: Соколова\^Анна \(F, 1971-03-04, #REP-14:CITY-HOSPITAL\)/);
    assert.match(dump, /Preliminary Flag\s+: FINAL/);
    assert.match(dump, /Completion Flag\s+: COMPLETE/);
    assert.match(dump, /Verification Flag\s+: VERIFIED/);
    assert.match(dump, /Verifying Observers : 2026-12-06 \d\d:05:00 [+-]\d\d:\d\d, Петров Пётр, Городская больница №1/);
    assert.match(dump, /<CONTAINER:\(18748-4,LN,"Diagnostic Imaging Report"\)=SEPARATE>\s+# TID 2000 \(DCMR/);
    assert.match(dump, /\(121049,DCM,"Language of Content Item and Descendants"\)=\(ru,RFC5646,"Russian"\)/);
    assert.match(dump, /PNAME:\(121008,DCM,"Person Observer Name"\)="Петров Пётр"/);
    assert.match(dump, /<contains CONTAINER:\(55752-0,LN,"Clinical Information"\)=SEPARATE>\n\s+<has concept mod TEXT:\(121050,DCM,"Equivalent Meaning of Concept Name"\)="Клинические данные">\n\s+<contains TEXT:\(11329-0,LN,"History"\)="Кашель две недели.">/);
    assert.match(dump, /<contains CONTAINER:\(55111-9,LN,"Current Procedure Descriptions"\)=SEPARATE>/);
    assert.doesNotMatch(dump, /18834-2/, 'a section without text is left out');
    assert.ok(dump.includes('<contains TEXT:(121071,DCM,"Finding")="Lungs clear.\\nNo effusion.">'), 'the line break kept (dsrdump shows it as \\n)');
    assert.match(dump, new RegExp(`<contains CONTAINER:\\(19005-8,LN,"Impressions"\\)=SEPARATE>\\n\\s+<has concept mod TEXT:[^\\n]+="Заключение">\\n\\s+<contains TEXT:\\(121073,DCM,"Impression"\\)="${IMPRESSION}">`));
    assert.match(dump, new RegExp(`<contains CONTAINER:\\(55113-5,LN,"Key Images"\\)=SEPARATE>\\n\\s+<contains IMAGE:\\(121080,DCM,"Best illustration of finding"\\)=\\(CT image,"${study.sopInstanceUids[0][1]}"\\)>`));
    // The key image's measurements, each on that image
    const selected = `<selected from IMAGE:=\\(CT image,"${study.sopInstanceUids[0][1]}"\\)>`;
    assert.match(dump, new RegExp(`<contains NUM:\\(410668003,SCT,"Length"\\)="23.4" \\(mm,UCUM,"millimeter"\\)>\\n\\s+<inferred from SCOORD:=\\(POLYLINE,10/20,40/20\\)>\\n\\s+${selected}`));
    assert.match(dump, new RegExp(`<contains NUM:\\(285285000,SCT,"Cobb angle"\\)="90" \\(deg,UCUM,"[^"]+"\\)>\\n\\s+<inferred from SCOORD:=\\(POLYLINE,10/10,20/20,20/20,30/10\\)>\\n\\s+${selected}`));
    assert.match(dump, new RegExp(`<contains TEXT:\\(121071,DCM,"Finding"\\)="Узел">\\n\\s+<inferred from SCOORD:=\\(POLYLINE,32/32,50/12\\)>\\n\\s+${selected}`));
  });

  it('marks a preliminary report unverified and partial, and an amendment with its predecessor', { skip: noDcmtk }, () => {
    const preliminary = run('dsrdump', ['+U8', files.preliminary]).stdout;
    assert.match(preliminary, /Preliminary Flag\s+: PRELIMINARY/);
    assert.match(preliminary, /Completion Flag\s+: PARTIAL/);
    assert.match(preliminary, /Verification Flag\s+: UNVERIFIED/);
    assert.doesNotMatch(preliminary, /Verifying Observers/);
    assert.doesNotMatch(preliminary, /Key Images/);
    const amended = run('dsrdump', ['+U8', files.amended]).stdout;
    assert.match(amended, /Predecessor Docs\s+: 1/);
    const header = run('dcmdump', ['+U8', '+P', '0040,a360', files.amended]).stdout;
    assert.ok(header.includes('PredecessorDocumentsSequence'), header);
    const references = run('dcmdump', ['+U8', files.amended]).stdout;
    const predecessor = references.slice(references.indexOf('PredecessorDocumentsSequence'));
    assert.ok(predecessor.includes(uids.srSeries) && predecessor.includes(uids.srSop), 'the predecessor is referenced by series and SOP instance');
  });

  it('is stored by the archive and found again by QIDO on its SOP class', async () => {
    for (const name of ['pdf', 'sr']) {
      const result = await h.archive.ingest(readFileSync(files[name]), { kind: 'stow', principalLabel: 'test' }, h.facilityId);
      assert.equal(result.status, 'stored');
      assert.equal(result.studyInstanceUid, study.studyInstanceUid);
    }
    const search = async (sopClassUid: string) => {
      const query = parseQidoQuery('instance', new URLSearchParams({ StudyInstanceUID: study.studyInstanceUid, SOPClassUID: sopClassUid, includefield: '00100010' }));
      return (await findInstances(h.db, query, { kind: 'all' })).matches;
    };
    const pdfs = await search(ENCAPSULATED_PDF_SOP_CLASS);
    assert.deepEqual(pdfs.map((match) => match['00080018']?.Value?.[0]), [uids.pdfSop]);
    assert.deepEqual(pdfs[0]['00080060']?.Value, ['DOC']);
    const srs = await search(ENHANCED_SR_SOP_CLASS);
    assert.deepEqual(srs.map((match) => match['00080018']?.Value?.[0]), [uids.srSop]);
    assert.deepEqual(srs[0]['00100010']?.Value, [{ Alphabetic: PATIENT_NAME }], 'the Cyrillic name survives the archive');
  });

  it('refuses what it cannot write, with a clear error', () => {
    const notPdf = () =>
      buildEncapsulatedPdf({
        pdf: Buffer.from('<html>'),
        patientStudy,
        studyInstanceUid: study.studyInstanceUid,
        seriesInstanceUid: uids.pdfSeries,
        seriesNumber: 1,
        sopInstanceUid: newUid(),
        instanceNumber: 1,
        createdAt: new Date(),
        documentTitle: 'x',
      });
    assert.throws(notPdf, (error) => isArchiveError(error) && error.code === 'BAD_REQUEST' && /not a PDF/.test(error.message));
    assert.throws(() => buildReportSr(srInput({ signer: undefined })), /a final report needs its signer/);
    assert.throws(() => buildReportSr(srInput({ sections: [{ heading: 'findings', text: '  ' }] })), /at least one section with text/);
    assert.throws(() => buildReportSr(srInput({ sections: [{ heading: 'nonsense' as never, text: 'x' }] })), /unknown report section heading/);
    const badLength = { seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][1], sopClassUid: CT_IMAGE, measurements: [{ tool: 'Length', imagePoints: [[1, 1]] }] } as const;
    assert.throws(() => buildReportSr(srInput({ keyImages: [badLength] })), (error) => isArchiveError(error) && error.code === 'BAD_REQUEST' && /annotation cannot be written: measurement 1 \(Length\): 1 image points, expected 2/.test(error.message));
  });
});
