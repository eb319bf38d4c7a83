// C-ECHO and C-STORE with DCMTK as the real client: association policy,
// transfer syntaxes stored as sent, failures that leave the server serving,
// and the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fixturePath, fixtureSkipReason, hasDcmtk, makeInstance, makeStudy, type FixtureName } from '../support/fixtures';
import { echoscu, freePort, storescu, writeTempFiles, type ProposedTransferSyntaxes } from '../support/dcmtk';
import { startTestServer, type TestServer } from '../support/test-server';
import type { Logger } from '../../pacs-core/logger';
import type { FsBlobStore } from '../../pacs-core/store/fs-blob-store';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const MODALITY = 'CT_MODALITY';

/** A logger that keeps what the server says, to assert on why it refused. */
function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

describe('DIMSE C-ECHO and C-STORE (DCMTK clients)', { skip }, () => {
  let server: TestServer;
  const logger = recordingLogger();
  const peer = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `${MODALITY}@127.0.0.1:${await freePort()}` }, logger });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers C-ECHO from a registered AE', async () => {
    const result = await echoscu(peer(), { callingAet: MODALITY });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  it('refuses an unregistered calling AE at association time, and says why in its log', async () => {
    const result = await echoscu(peer(), { callingAet: 'STRANGER' });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr + result.stdout, /Calling AE Title Not Recognized/i);
    const line = logger.lines.find((entry) => entry.message === 'association rejected: calling AE title not recognized');
    assert.equal(line?.fields?.callingAet, 'STRANGER');
    const denied = await server.node.db.auditEvent.findFirst({ where: { actor: 'AE:STRANGER', action: 'dimse.associate', outcome: 'DENIED' } });
    assert.ok(denied, 'the refused association is audited');
  });

  it('refuses an association that names another called AE title', async () => {
    const result = await echoscu({ port: server.dicomPort, aet: 'NOT_US' }, { callingAet: MODALITY });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr + result.stdout, /Called AE Title Not Recognized/i);
  });

  it('stores a multi-series study over one association and audits once per study', async () => {
    const study = makeStudy({ patientId: 'DIMSE-STORE-1', accessionNumber: 'DSTORE1', series: 2, instancesPerSeries: 3, seed: 'dimse-store' });
    const temp = writeTempFiles(study);
    try {
      const result = await storescu(peer(), temp.paths, { callingAet: MODALITY });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.responses.length, study.length);
      assert.ok(result.responses.every((response) => response.ok), JSON.stringify(result.responses));
    } finally {
      temp.cleanup();
    }
    const db = server.node.db;
    const stored = await db.instance.findMany({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } } });
    assert.equal(stored.length, 6);
    assert.ok(stored.every((instance) => instance.origin === `dimse:${MODALITY}`));
    // One audit row per study for the association, written at release, not one per image
    await waitFor(async () => (await db.auditEvent.count({ where: { action: 'dimse.c-store', studyUid: study.studyInstanceUid } })) === 1);
    const audit = await db.auditEvent.findFirst({ where: { action: 'dimse.c-store', studyUid: study.studyInstanceUid } });
    assert.equal(audit?.actor, `AE:${MODALITY}`);
    assert.equal(audit?.outcome, 'SUCCESS');
    assert.equal(audit?.patientId, 'DIMSE-STORE-1');
    assert.equal(audit?.sourceIp.replace('::ffff:', ''), '127.0.0.1');
    assert.equal(JSON.parse(audit?.details ?? '{}').stored, 6);
  });

  // Each fixture proposed in its own transfer syntax, as a modality sends what it has
  const asSent: [FixtureName, ProposedTransferSyntaxes][] = [
    ['implicit-le', 'implicitOnly'],
    ['big-endian', 'explicitBig'],
    ['deflate', 'deflated'],
    ['rle', 'rle'],
    ['jpeg-baseline', 'jpeg8'],
    ['jpeg-lossless-sv1', 'jpegLossless'],
    ['jpeg-ls', 'jpegLsLossless'],
    ['multiframe-rle', 'rle'],
  ];
  for (const [name, propose] of asSent) {
    it(`stores ${name} in the transfer syntax it was sent in, dataset bytes unchanged`, { skip: fixtureSkipReason(name) }, async () => {
      const result = await storescu(peer(), [fixturePath(name)], { callingAet: MODALITY, propose });
      assert.equal(result.exitCode, 0, result.stderr);
      const sent = readFileSync(fixturePath(name));
      const row = await server.node.db.instance.findFirst({ where: { sopInstanceUid: readSop(sent) } });
      assert.ok(row, `${name} stored`);
      assert.equal(row.transferSyntaxUid, readTs(sent));
      const file = await server.node.archive.store.get(row.blobKey);
      // DCMTK re-deflates on the wire (the bytes we got are not the file's): compare the inflated datasets
      const dataset = (bytes: Buffer) => (name === 'deflate' ? inflateRawSync(bytes.subarray(datasetStart(bytes))) : bytes.subarray(datasetStart(bytes)));
      assert.ok(dataset(file).equals(dataset(sent)), 'dataset as sent');
      assert.equal(readMeta(file, 0x0016), MODALITY, 'File Meta names the sending AE (0002,0016)');
    });
  }

  it('announces its own 256 KiB receive limit and stores a 4 MB multi-frame image sent in PDUs of that size', async () => {
    const big = makeInstance({ patientId: 'DIMSE-BIG', seed: 'dimse-big', rows: 512, columns: 512, numberOfFrames: 8 });
    const temp = writeTempFiles([big]);
    try {
      const result = await storescu(peer(), temp.paths, { callingAet: MODALITY, extraArgs: ['-d'] });
      assert.equal(result.exitCode, 0, result.stderr);
      const log = result.stderr + result.stdout;
      const accept = log.slice(log.indexOf('BEGIN A-ASSOCIATE-AC'));
      assert.ok(/Their Max PDU Receive Size:\s+262144\b/.test(accept), 'the A-ASSOCIATE-AC carries our limit, not the requestor\'s 16384');
      assert.ok(/Our Max PDU Receive Size:\s+16384\b/.test(accept), 'the requestor keeps its own limit');
    } finally {
      temp.cleanup();
    }
    const row = await server.node.db.instance.findFirstOrThrow({ where: { series: { study: { patient: { patientId: 'DIMSE-BIG' } } } } });
    const stored = await server.node.archive.store.get(row.blobKey);
    assert.ok(stored.subarray(datasetStart(stored)).equals(big.subarray(datasetStart(big))), 'dataset bytes as sent');
    assert.equal(row.numberOfFrames, 8);
  });

  it('answers a malformed dataset with a failure status; the association and the server survive', async () => {
    const good = makeStudy({ patientId: 'DIMSE-STORE-2', accessionNumber: 'DSTORE2', series: 1, instancesPerSeries: 2, seed: 'dimse-store-2' });
    // A dataset without Study Instance UID: storescu sends it (the SOP UIDs are there), ingest cannot index it
    const malformed = makeInstance({ patientId: 'DIMSE-STORE-2', seed: 'dimse-malformed', omit: ['StudyInstanceUID'] });
    const temp = writeTempFiles([malformed, good[0]]);
    try {
      const result = await storescu(peer(), temp.paths, { callingAet: MODALITY, noHalt: true });
      assert.equal(result.responses.length, 2, result.stderr);
      assert.equal(result.responses[0].ok, false);
      assert.match(result.stderr + result.stdout, /CannotUnderstand|0xc000/i);
      const line = logger.lines.find((entry) => entry.message === 'C-STORE failed');
      assert.match(String(line?.fields?.error), /Study Instance UID/, 'the log says what is wrong');
      assert.equal(result.responses[1].ok, true, 'the same association goes on');
    } finally {
      temp.cleanup();
    }
    const next = writeTempFiles([good[1]]);
    try {
      const result = await storescu(peer(), next.paths, { callingAet: MODALITY });
      assert.equal(result.exitCode, 0, result.stderr);
    } finally {
      next.cleanup();
    }
    assert.equal(await server.node.db.instance.count({ where: { series: { study: { studyInstanceUid: good.studyInstanceUid } } } }), 2);
    await waitFor(async () => (await server.node.db.auditEvent.count({ where: { action: 'dimse.c-store', outcome: 'FAILURE' } })) >= 1);
    // The refused dataset was written to the store's incoming area as it arrived: it must be gone
    const root = (server.node.archive.store as FsBlobStore).root;
    assert.deepEqual(readdirSync(path.join(root, '.incoming')), [], 'no temp file left behind');
  });

  it('refuses different content under a stored SOP Instance UID with 0x0111 and keeps the first', async () => {
    const first = makeInstance({ patientId: 'DIMSE-DUP', seed: 'dimse-dup' });
    const second = makeInstance({ patientId: 'DIMSE-DUP', seed: 'dimse-dup', seriesDescription: 'changed' });
    for (const [bytes, ok] of [[first, true], [first, true], [second, false]] as const) {
      const temp = writeTempFiles([bytes]);
      try {
        const result = await storescu(peer(), temp.paths, { callingAet: MODALITY });
        assert.equal(result.responses[0]?.ok, ok, result.stderr);
        if (!ok) assert.match(result.stderr + result.stdout, /0x0?111|Duplicate/i);
      } finally {
        temp.cleanup();
      }
    }
  });
});

async function waitFor(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Offset of the dataset after the File Meta group (explicit VR LE, PS3.10 7.1). */
function datasetStart(file: Buffer): number {
  let offset = 132;
  while (file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    offset += ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr) ? 12 + file.readUInt32LE(offset + 8) : 8 + file.readUInt16LE(offset + 6);
  }
  return offset;
}

function readMeta(file: Buffer, element: number): string {
  let offset = 132;
  while (file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
    const length = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (file.readUInt16LE(offset + 2) === element) return file.toString('latin1', start, start + length).replace(/\0+$/, '').trim();
    offset = start + length;
  }
  return '';
}

const readTs = (file: Buffer) => readMeta(file, 0x0010);
const readSop = (file: Buffer) => readMeta(file, 0x0003);
