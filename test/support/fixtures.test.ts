// Checks that the test fixtures are real DICOM, judged by DCMTK (dcmdump) and
// dicom3tools (dciodvfy) rather than by our own parser: a fixture that only
// our code can read would prove nothing about interoperability.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import {
  FIXTURES,
  FIXTURE_DIR,
  FIXTURE_NAMES,
  SOP_CLASS,
  TRANSFER_SYNTAX,
  fixture,
  fixturePath,
  fixtureSkipReason,
  fixtureSource,
  hasDcmtk,
  instanceUids,
  makeInstance,
  makeStudy,
  makeUid,
  runDcmtk,
  type FixtureName,
} from './fixtures';

const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

// Under CI the tools are installed by .ci/run, so nothing may be skipped there.
const noDcmtk = hasDcmtk() || process.env.CI ? undefined : 'DCMTK is not installed (apt-get install -y dcmtk)';
const hasDciodvfy = spawnSync('dciodvfy', ['-help'], { stdio: 'ignore' }).error === undefined;
const noDciodvfy = hasDciodvfy || process.env.CI ? undefined : 'dicom3tools is not installed (apt-get install -y dicom3tools)';

interface DumpedElement {
  vr: string;
  value: string;
}

/**
 * Top-level elements as dcmdump prints them: "(0010,0010) PN [Doe^Jane] # 8, 1 PatientName".
 * -Un prints UIDs as numbers, +L prints long values whole; +U8 converts text to UTF-8.
 */
function dcmdump(file: string, options: { utf8?: boolean; args?: string[] } = {}): Map<string, DumpedElement> {
  const args = ['-q', '-Un', '+L', ...(options.utf8 === false ? [] : ['+U8']), ...(options.args ?? []), file];
  // latin1 keeps every byte as one char; re-decoded as UTF-8 below when +U8 was asked.
  const result = spawnSync('dcmdump', args, { encoding: 'buffer', env: { ...process.env, TCP_NODELAY: '1' } });
  assert.equal(result.status, 0, `dcmdump ${args.join(' ')} failed: ${result.stderr.toString()}`);
  const text = options.utf8 === false ? result.stdout.toString('latin1') : result.stdout.toString('utf8');
  const elements = new Map<string, DumpedElement>();
  for (const line of text.split('\n')) {
    const match = /^\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (.*?)\s+#\s*\d+,/.exec(line);
    if (!match) continue;
    const raw = match[4];
    const value = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    elements.set(`${match[1]},${match[2]}`.toUpperCase(), { vr: match[3], value });
  }
  return elements;
}

function valueOf(elements: Map<string, DumpedElement>, tag: string): string | undefined {
  return elements.get(tag)?.value;
}

/** dcmdump's verdict on a file it cannot read: exit status and message. */
function dcmdumpFailure(file: string, args: string[] = []): string {
  const result = spawnSync('dcmdump', [...args, file], { encoding: 'utf8' });
  assert.notEqual(result.status, 0, `dcmdump ${args.join(' ')} unexpectedly read ${path.basename(file)}`);
  return result.stderr;
}

/** The PixelData value bytes, found by dicom-parser (native transfer syntaxes only). */
function nativePixelBytes(bytes: Buffer): Buffer {
  const dataset = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const element = dataset.elements.x7fe00010;
  assert.ok(element, 'PixelData present');
  return Buffer.from(bytes.subarray(element.dataOffset, element.dataOffset + element.length));
}

/** DCMTK decompression back to Explicit VR Little Endian, per transfer syntax family. */
const DECOMPRESSOR: Partial<Record<FixtureName, string>> = {
  rle: 'dcmdrle',
  'multiframe-rle': 'dcmdrle',
  'jpeg-lossless': 'dcmdjpeg',
  'jpeg-lossless-sv1': 'dcmdjpeg',
  'jpeg-ls': 'dcmdjpls',
};

const dicomFixtures = FIXTURE_NAMES.filter(
  (name) => FIXTURES[name].transferSyntaxUid !== undefined && FIXTURES[name].expectedError !== 'TRUNCATED',
);

describe('makeInstance', () => {
  it('writes the same bytes for the same options', () => {
    assert.ok(makeInstance({ instanceNumber: 7 }).equals(makeInstance({ instanceNumber: 7 })));
  });

  it('starts with the Part 10 preamble and DICM', () => {
    const bytes = makeInstance();
    assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
  });

  it('derives valid 2.25 UIDs, one series for instances of the same series', () => {
    const first = instanceUids({ instanceNumber: 1 });
    const second = instanceUids({ instanceNumber: 2 });
    assert.equal(first.studyInstanceUid, second.studyInstanceUid);
    assert.equal(first.seriesInstanceUid, second.seriesInstanceUid);
    assert.notEqual(first.sopInstanceUid, second.sopInstanceUid);
    for (const uid of [...Object.values(first), makeUid('x')]) {
      assert.match(uid, /^2\.25\.[1-9][0-9]*$/);
      assert.ok(uid.length <= 64);
    }
  });

  it('refuses non-ASCII text under a character set dcmjs cannot write', () => {
    assert.throws(() => makeInstance({ patientName: 'Müller^Jürgen', specificCharacterSet: 'ISO_IR 100' }), /UTF-8 only/);
  });

  it('marks non-ASCII text as UTF-8 when no character set is given', { skip: noDcmtk }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-fixture-test-'));
    try {
      const file = path.join(dir, 'utf8.dcm');
      writeFileSync(file, makeInstance({ patientName: 'José^Núñez' }));
      const dump = dcmdump(file);
      assert.equal(valueOf(dump, '0008,0005'), 'ISO_IR 192');
      assert.equal(valueOf(dump, '0010,0010'), 'José^Núñez');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes what dcmdump reads back: patient, study, image attributes', { skip: noDcmtk }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-fixture-test-'));
    try {
      const file = path.join(dir, 'mr.dcm');
      const options = {
        patientId: 'P-42',
        issuerOfPatientId: 'HOSP-A',
        patientName: 'Doe^Jane',
        patientSex: 'F',
        patientBirthDate: '19800229',
        studyDate: '20250301',
        studyTime: '083000',
        accessionNumber: 'A-1',
        modality: 'MR',
        bodyPartExamined: 'HEAD',
        instanceNumber: 3,
        rows: 32,
        columns: 48,
      } as const;
      writeFileSync(file, makeInstance(options));
      const dump = dcmdump(file);
      const uids = instanceUids(options);
      const expected: Record<string, string> = {
        '0002,0010': TRANSFER_SYNTAX.EXPLICIT_LE,
        '0008,0016': SOP_CLASS.MR,
        '0008,0018': uids.sopInstanceUid,
        '0008,0020': '20250301',
        '0008,0030': '083000',
        '0008,0050': 'A-1',
        '0008,0060': 'MR',
        '0010,0010': 'Doe^Jane',
        '0010,0020': 'P-42',
        '0010,0021': 'HOSP-A',
        '0010,0030': '19800229',
        '0010,0040': 'F',
        '0018,0015': 'HEAD',
        '0020,000D': uids.studyInstanceUid,
        '0020,000E': uids.seriesInstanceUid,
        '0020,0013': '3',
        '0028,0010': '32',
        '0028,0011': '48',
      };
      for (const [tag, value] of Object.entries(expected)) assert.equal(valueOf(dump, tag), value, tag);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes dciodvfy for CT, MR, CR and multi-frame SC', { skip: noDciodvfy }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-fixture-test-'));
    try {
      const cases = [
        { modality: 'CT' },
        { modality: 'MR' },
        { modality: 'CR', bitsAllocated: 8 as const },
        { modality: 'OT', numberOfFrames: 3 },
      ];
      for (const options of cases) {
        const file = path.join(dir, `${options.modality}.dcm`);
        writeFileSync(file, makeInstance(options));
        const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
        // dciodvfy reports on stderr; our extra attributes (e.g. a Modality LUT
        // on SC) only give "not present in standard IOD" warnings, which we allow.
        const errors = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.startsWith('Error'));
        assert.deepEqual(errors, [], `${options.modality}: ${errors.join('; ')}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('makeStudy', () => {
  it('makes n series of m instances with the UIDs it reports', () => {
    const study = makeStudy({ series: 2, instancesPerSeries: 3, patientId: 'P-STUDY', seriesModalities: ['CT', 'MR'] });
    assert.equal(study.length, 6);
    assert.equal(study.seriesInstanceUids.length, 2);
    assert.notEqual(study.seriesInstanceUids[0], study.seriesInstanceUids[1]);
    study.forEach((bytes, index) => {
      const dataset = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { untilTag: 'x7fe00010' });
      const series = Math.floor(index / 3);
      assert.equal(dataset.string('x0020000d'), study.studyInstanceUid);
      assert.equal(dataset.string('x0020000e'), study.seriesInstanceUids[series]);
      assert.equal(dataset.string('x00080018'), study.sopInstanceUids[series][index % 3]);
      assert.equal(dataset.string('x00080060'), series === 0 ? 'CT' : 'MR');
      assert.equal(dataset.intString('x00200013'), (index % 3) + 1);
    });
  });
});

describe('named fixtures', () => {
  it('are cached in the fixture directory and made only once', () => {
    const first = fixturePath('explicit-le');
    assert.equal(path.dirname(first), FIXTURE_DIR);
    assert.equal(fixturePath('explicit-le'), first);
    assert.ok(fixture('explicit-le').equals(readFileSync(first)));
  });

  for (const name of dicomFixtures) {
    const spec = FIXTURES[name];
    it(`${name}: dcmdump reads ${spec.description}`, { skip: noDcmtk ?? fixtureSkipReason(name) }, () => {
      const file = fixturePath(name);
      // The Japanese one: Debian's DCMTK converts with glibc iconv, which it
      // cannot use for ISO 2022 IR 87, so read the raw bytes and decode them
      // with ICU's ISO-2022-JP decoder instead (same escape sequences).
      const utf8 = spec.specificCharacterSet !== '\\ISO 2022 IR 87';
      const dump = dcmdump(file, { utf8 });
      assert.equal(valueOf(dump, '0002,0010'), spec.transferSyntaxUid, 'transfer syntax');
      assert.equal(valueOf(dump, '0008,0018'), spec.sopInstanceUid, 'SOP Instance UID');
      assert.equal(valueOf(dump, '0020,000D'), spec.studyInstanceUid, 'Study Instance UID');
      assert.equal(valueOf(dump, '0020,000E'), spec.seriesInstanceUid, 'Series Instance UID');
      const patientName = valueOf(dump, '0010,0010');
      if (utf8) assert.equal(patientName, spec.patientName);
      else {
        assert.ok(patientName?.includes('\x1b$B'), 'ISO 2022 escape sequence kept');
        assert.equal(new TextDecoder('iso-2022-jp').decode(Buffer.from(patientName ?? '', 'latin1')), spec.patientName);
      }
      if (spec.specificCharacterSet) {
        // Without +U8, dcmdump shows the character set as stored in the file.
        assert.equal(valueOf(dcmdump(file, { utf8: false }), '0008,0005'), spec.specificCharacterSet);
      }
      if (spec.numberOfFrames > 1) assert.equal(valueOf(dump, '0028,0008'), String(spec.numberOfFrames));
    });
  }

  for (const [name, tool] of Object.entries(DECOMPRESSOR) as [FixtureName, string][]) {
    it(`${name}: decompresses with ${tool} to the source pixels, bit for bit`, { skip: noDcmtk ?? fixtureSkipReason(name) }, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-fixture-test-'));
      try {
        const output = path.join(dir, 'decompressed.dcm');
        runDcmtk(tool, [fixturePath(name), output]);
        assert.ok(nativePixelBytes(readFileSync(output)).equals(nativePixelBytes(fixtureSource(name))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('jpeg-baseline: decodes to 8-bit pixels close to the source (lossy)', { skip: noDcmtk ?? fixtureSkipReason('jpeg-baseline') }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-fixture-test-'));
    try {
      const output = path.join(dir, 'decompressed.dcm');
      runDcmtk('dcmdjpeg', [fixturePath('jpeg-baseline'), output]);
      const decoded = nativePixelBytes(readFileSync(output));
      const source = nativePixelBytes(fixtureSource('jpeg-baseline'));
      assert.equal(decoded.length, source.length);
      let worst = 0;
      for (let i = 0; i < source.length; i++) worst = Math.max(worst, Math.abs(decoded[i] - source[i]));
      assert.ok(worst < 64, `largest pixel difference ${worst}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncated: dcmdump finds PixelData longer than the file', { skip: noDcmtk }, () => {
    assert.match(dcmdumpFailure(fixturePath('truncated')), /PixelData \(7fe0,0010\) larger/);
  });

  it('truncated-header: dcmdump finds an element cut short before the pixels', { skip: noDcmtk }, () => {
    assert.match(dcmdumpFailure(fixturePath('truncated-header')), /PhotometricInterpretation \(0028,0004\) larger/);
  });

  it('not-dicom: is a PNG that dcmdump rejects', { skip: noDcmtk }, () => {
    assert.equal(fixture('not-dicom').subarray(1, 4).toString('latin1'), 'PNG');
    dcmdumpFailure(fixturePath('not-dicom'));
  });

  it('missing-uids: is readable but has no SOP Instance UID nor Study Instance UID', { skip: noDcmtk }, () => {
    const dump = dcmdump(fixturePath('missing-uids'));
    assert.equal(dump.has('0008,0018'), false);
    assert.equal(dump.has('0002,0003'), false);
    assert.equal(dump.has('0020,000D'), false);
    assert.equal(valueOf(dump, '0020,000E'), FIXTURES['missing-uids'].seriesInstanceUid);
  });

  it('no-preamble: a bare dataset, not a Part 10 file', { skip: noDcmtk }, () => {
    const file = fixturePath('no-preamble');
    dcmdumpFailure(file, ['+fo']); // "file format only"
    const dump = dcmdump(file, { args: ['-f'] }); // read as a bare dataset
    assert.equal(dump.has('0002,0010'), false);
    assert.equal(valueOf(dump, '0008,0018'), FIXTURES['no-preamble'].sopInstanceUid);
  });

  it('meta-no-preamble: starts directly with the File Meta group', () => {
    const bytes = fixture('meta-no-preamble');
    assert.equal(bytes.readUInt16LE(0), 0x0002);
    assert.equal(bytes.readUInt16LE(2), 0x0000);
    assert.equal(bytes.subarray(4, 6).toString('latin1'), 'UL');
  });

  it('every valid fixture has UIDs of valid syntax', () => {
    for (const name of dicomFixtures) {
      for (const uid of [FIXTURES[name].studyInstanceUid, FIXTURES[name].seriesInstanceUid, FIXTURES[name].sopInstanceUid]) {
        if (uid !== undefined) assert.match(uid, UID_SYNTAX, name);
      }
    }
  });
});
