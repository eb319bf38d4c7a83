// Malformed files through every door (issue 12, 7): STOW-RS, C-STORE from
// DCMTK's storescu, and a raw C-STORE for what DCMTK will not read. Each is
// refused with the precise reason, and leaves nothing behind: no row, no
// file, no temp file in the store's .incoming, no empty directory.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasDcmtk, makeInstance } from '../support/fixtures';
import { encodeElement, withElementInserted, withElementValue, datasetOffset } from '../support/dicom-bytes';
import { freePort, storescu, writeTempFiles } from '../support/dcmtk';
import { rawCStore } from '../support/raw-dimse';
import { largeInstance, writeLargeInstanceFile } from '../support/large-stow';
import { IN_MEMORY_INSTANCE_BYTES } from '../../pacs-core/instance-receiver';
import { stowBody } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';
import type { FsBlobStore } from '../../pacs-core/store/fs-blob-store';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const MODALITY = 'MALFORMED_MOD';
type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** The three malformations of the security review, each in a file that is otherwise valid. */
function malformedFiles(prefix: string) {
  const base = (name: string) => makeInstance({ patientId: `${prefix}-${name}`, seed: `${prefix}-${name}` });
  return {
    utUndefinedLength: withElementInserted(base('ut'), encodeElement(0x0040, 0xa160, 'UT', Buffer.from('free text '), { undefinedLength: true })),
    sopUidWithNul: withElementValue(base('nul'), 0x0008, 0x0018, Buffer.from('1.2.3\0.4')),
    patientIdWithNul: makeInstance({ patientId: `${prefix}\0EVIL`, seed: `${prefix}-pid` }),
  };
}

const REASONS = {
  utUndefinedLength: /\(0040,A160\) TextValue has an undefined length, which UT may not have/,
  sopUidWithNul: /SOP Instance UID \(0008,0018\) contains a NUL byte/,
  patientIdWithNul: /\(0010,0020\) PatientID contains a NUL byte/,
};

/** Every directory under dir that holds nothing (the store's own .incoming excepted). */
function emptyDirectories(dir: string): string[] {
  const empty: string[] = [];
  const walk = (current: string) => {
    const entries = readdirSync(current);
    if (entries.length === 0 && current !== dir && path.basename(current) !== '.incoming') empty.push(current);
    for (const entry of entries) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
    }
  };
  walk(dir);
  return empty;
}

describe('malformed input is refused with its reason at every door', () => {
  let server: TestServer;
  const storeRoot = () => (server.node.archive.store as FsBlobStore).root;
  const incoming = () => {
    try {
      return readdirSync(path.join(storeRoot(), '.incoming'));
    } catch {
      return [];
    }
  };
  async function assertNothingStored(patientPrefix: string): Promise<void> {
    assert.equal(await server.node.db.patient.count({ where: { patientId: { startsWith: patientPrefix } } }), 0, 'no patient row');
    assert.equal(await server.node.db.instance.count(), 0, 'no instance row');
    if (!existsSync(storeRoot())) return; // nothing was ever written
    assert.deepEqual(
      readdirSync(storeRoot()).filter((entry) => !entry.startsWith('.')),
      [],
      'no study directory in the store',
    );
    assert.deepEqual(incoming(), [], 'no temp file left in .incoming');
    assert.deepEqual(emptyDirectories(storeRoot()), [], 'no empty directory left');
  }

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `${MODALITY}@127.0.0.1:${await freePort()}` } });
  });
  after(async () => {
    await server?.stop();
  });

  it('STOW-RS answers 409 with a FailedSOPSequence item per file: reason 0xC000 and the precise ErrorComment', async () => {
    const files = malformedFiles('STOW-BAD');
    const { body, contentType } = stowBody(Object.values(files));
    const response = await fetch(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/dicom+json', authorization: server.adminAuthorization },
      body: new Uint8Array(body),
    });
    assert.equal(response.status, 409);
    const answer = (await response.json()) as DicomJson;
    const failed = answer['00081198'].Value as DicomJson[];
    assert.equal(failed.length, 3);
    Object.values(REASONS).forEach((reason, index) => {
      assert.deepEqual(failed[index]['00081197'].Value, [0xc000]);
      assert.match(String(failed[index]['00000902'].Value?.[0]), reason);
    });
    // The cut UID is not offered as the failed instance's name
    assert.equal(failed[1]['00081155'], undefined);
    assert.equal(answer['00081199'], undefined);
    await assertNothingStored('STOW-BAD');
  });

  it('STOW-RS still answers (409, a Warning header of printable ASCII) when the reason quotes bytes an HTTP header cannot carry', async () => {
    // Found by the fuzz test: a DEL (7FH) in the Transfer Syntax UID, quoted in the reason, made the Warning header invalid: HTTP 500
    const file = withElementValue(makeInstance({ patientId: 'STOW-DEL', seed: 'stow-del' }), 0x0002, 0x0010, Buffer.from('1.2.840\x7f10008.1.2.1\0', 'latin1'));
    const { body, contentType } = stowBody([file]);
    const response = await fetch(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/dicom+json', authorization: server.adminAuthorization },
      body: new Uint8Array(body),
    });
    assert.equal(response.status, 409);
    assert.match(response.headers.get('warning') ?? '', /^299 telepacs "part 1: Transfer Syntax UID \(0002,0010\) may hold only digits and dots[\x20-\x7e]*"$/);
    const failed = ((await response.json()) as DicomJson)['00081198'].Value as DicomJson[];
    assert.match(String(failed[0]['00000902'].Value?.[0]), /Transfer Syntax UID \(0002,0010\) may hold only digits and dots/);
    await assertNothingStored('STOW-DEL');
  });

  it('C-STORE from storescu gets 0xC000 with the reason in the Error Comment', { skip }, async () => {
    const files = malformedFiles('DIMSE-BAD');
    // DCMTK reads (and sends) the NUL cases; it refuses to read a UT of undefined length at all
    const temp = writeTempFiles([files.sopUidWithNul, files.patientIdWithNul]);
    try {
      const result = await storescu({ port: server.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: MODALITY, noHalt: true, extraArgs: ['-d'] });
      const log = result.stderr + result.stdout;
      // storescu -d prints each C-STORE-RSP: "DIMSE Status : 0xc000: Error: Cannot understand", then the ErrorComment element
      const statuses = [...log.matchAll(/DIMSE Status\s*: (0x[0-9a-f]{4})/g)].map((match) => match[1]);
      assert.deepEqual(statuses, ['0xc000', '0xc000'], log);
      const comments = [...log.matchAll(/\(0000,0902\) LO \[([^\]]*)\]/g)].map((match) => match[1]);
      assert.equal(comments.length, 2, log);
      assert.match(comments[0], REASONS.sopUidWithNul);
      assert.match(comments[1], REASONS.patientIdWithNul);
    } finally {
      temp.cleanup();
    }
    await assertNothingStored('DIMSE-BAD');
  });

  it('C-STORE of a dataset with a UT of undefined length gets 0xC000 naming the element', async () => {
    const { utUndefinedLength } = malformedFiles('RAW-BAD');
    const answer = await rawCStore(server.dicomPort, {
      callingAet: MODALITY,
      calledAet: 'TELEPACS',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: readSopInstanceUid(utUndefinedLength),
      dataset: utUndefinedLength.subarray(datasetOffset(utUndefinedLength)),
    });
    assert.equal(answer.status, 0xc000);
    assert.match(answer.errorComment ?? '', /^\(0040,A160\) TextValue has an undefined length/);
    await assertNothingStored('RAW-BAD');
  });

  it('C-STORE of a dataset above the in-memory limit is refused for the same reasons (its header parsed from its head)', { skip }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-large-malformed-'));
    try {
      const files = await writeLargeMalformedFiles('LARGE-BAD', dir);
      const result = await storescu({ port: server.dicomPort, aet: 'TELEPACS' }, [files.sopUidWithNul, files.patientIdWithNul], {
        callingAet: MODALITY,
        noHalt: true,
        propose: 'explicitLittle',
        extraArgs: ['-d'],
      });
      const log = result.stderr + result.stdout;
      assert.deepEqual([...log.matchAll(/DIMSE Status\s*: (0x[0-9a-f]{4})/g)].map((match) => match[1]), ['0xc000', '0xc000'], log);
      const comments = [...log.matchAll(/\(0000,0902\) LO \[([^\]]*)\]/g)].map((match) => match[1]);
      assert.match(comments[0] ?? '', REASONS.sopUidWithNul);
      assert.match(comments[1] ?? '', REASONS.patientIdWithNul);

      // DCMTK will not read a UT of undefined length: sent raw, in PDUs of 256 KiB
      const utUndefinedLength = readFileSync(files.utUndefinedLength);
      const answer = await rawCStore(server.dicomPort, {
        callingAet: MODALITY,
        calledAet: 'TELEPACS',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.7.3',
        sopInstanceUid: readSopInstanceUid(utUndefinedLength),
        dataset: utUndefinedLength.subarray(datasetOffset(utUndefinedLength)),
        bytesPerPdu: 256 * 1024,
      });
      assert.equal(answer.status, 0xc000);
      assert.match(answer.errorComment ?? '', /^\(0040,A160\) TextValue has an undefined length/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await assertNothingStored('LARGE-BAD');
  });
});

/**
 * The same malformations in instances above the in-memory limit (68 frames
 * of 512 KiB: 34 MiB), which ingest parses from their head and the file.
 */
async function writeLargeMalformedFiles(prefix: string, dir: string) {
  const large = (name: string, patientId: string, editHeader?: (file: Buffer) => Buffer) =>
    largeInstance({ seed: `${prefix}-${name}`, patientId, frames: 68, ...(editHeader ? { editHeader } : {}) });
  const instances = {
    utUndefinedLength: large('ut', `${prefix}-ut`, (file) =>
      withElementInserted(file, encodeElement(0x0040, 0xa160, 'UT', Buffer.from('free text '), { undefinedLength: true })),
    ),
    sopUidWithNul: large('nul', `${prefix}-nul`, (file) => withElementValue(file, 0x0008, 0x0018, Buffer.from('1.2.3\0.4'))),
    patientIdWithNul: large('pid', `${prefix}\0EVIL`),
  };
  const paths = {} as Record<keyof typeof instances, string>;
  for (const [name, instance] of Object.entries(instances) as [keyof typeof instances, (typeof instances)[keyof typeof instances]][]) {
    assert.ok(instance.size > IN_MEMORY_INSTANCE_BYTES);
    paths[name] = path.join(dir, `${name}.dcm`);
    await writeLargeInstanceFile(instance, paths[name]);
  }
  return paths;
}

function readSopInstanceUid(file: Buffer): string {
  const offset = file.indexOf(Buffer.from([0x08, 0x00, 0x18, 0x00, 0x55, 0x49]), datasetOffset(file));
  return file.toString('latin1', offset + 8, offset + 8 + file.readUInt16LE(offset + 6)).replace(/\0$/, '');
}
