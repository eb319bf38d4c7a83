// The one ingest path (STYLE.md, after Orthanc): every door — STOW-RS, C-STORE,
// browser upload, federation import — calls archive.ingest(bytes, origin).
//
// Order matters for durability: parse (reject bad input before it gets a
// key) → the file durable in the store's incoming area (fsync) → the
// duplicate check → once per series the patient/study/series rows → the file
// under its UID-derived key (rename) → per image the instance row and its
// counters in one transaction of the InstanceWriter → report success. If the
// instance commit fails, the new file is removed; a crash between the two
// leaves an unindexed file that the next send of the same instance
// overwrites, never a row without a file. A refusal before the rename leaves
// nothing in the store. A caller that streams (STOW-RS, DIMSE C-STORE:
// instance-receiver.ts) hands over an IncomingBlob already being written
// while the data arrived: its fsync then runs while the header is parsed.
//
// Each facility holds its own copy of a study (docs/architecture.md, "A study
// is held per facility"): rows are found or created within the storing
// facility only, and nothing another facility holds changes the answer.
// Identical bytes (SHA-256 and size) already stored under the same SOP
// Instance UID by any facility are stored once: the new row points at that
// file. Different bytes under a UID another facility holds get their own key
// (<study>/<series>/<sop>.<first 16 hex of SHA-256>.dcm).
//
// Duplicate SOP Instance UID policy, per facility: keep the first. An
// identical re-send (same SHA-256 and size) is an idempotent success, so a
// modality retrying after a lost response is not failed; different content
// under a SOP Instance UID the facility holds is refused (DUPLICATE_CONFLICT →
// DIMSE 0x0111 / STOW FailureReason 0x0111) and the stored file is left
// untouched.
import { createHash } from 'node:crypto';
import type { Archive } from './archive';
import { describeOrigin, type IngestOrigin } from './access';
import { ArchiveError, asArchiveError } from './errors';
import { firstNumber, firstString, pickTags, type DicomJsonDataset } from './dicom/dicom-json';
import { INSTANCE_LEVEL_TAGS, PATIENT_LEVEL_TAGS, SERIES_LEVEL_TAGS, STUDY_LEVEL_TAGS } from './dicom/levels';
import { normalizeForSearch, personNameSearchKey } from './dicom/normalize';
import { parseInstance, type ParsedInstance } from './dicom/parse-instance';
import { parseInstanceHead } from './dicom/parse-instance-head';
import { linkByRegionPatientId } from './index/region-patient-link';
import { applyPatientOverlay, patientOverlayOf } from './patients/patient-overlay';
import { survivingRecord } from './patients/find-patient-record';
import type { IncomingBlob } from './store/blob-store';

export interface IngestResult {
  status: 'stored' | 'duplicate';
  facilityId: string;
  /** The Series row of this facility's copy (caches key by it: a UID may have several copies) */
  seriesId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  patientId: string;
  /** The stored instance's database id */
  instanceId: string;
  size: number;
}

// Ingests of one study are serialized: the first instance creates the
// patient/study/series rows, the others must see them (and a duplicate check
// must not race a concurrent insert of the same instance). Different studies
// ingest in parallel. archive.locks holds across processes (locks/uid-locks.ts).

interface KnownSeries {
  seriesId: string;
  studyId: string;
  facilityId: string;
  studyInstanceUid: string;
  /** The record's patient attributes the index serves instead of the header's (pacs-core/patients), or null */
  patientOverlay: DicomJsonDataset | null;
}

/**
 * Series already indexed by this archive, so that the 2nd..500th image of a
 * series skips the study/series lookups (each Prisma query costs ~0.9 ms here,
 * measured with bench/profile-prisma.ts). Keyed by facility, study and series
 * UID (each facility holds its own copy). Filled only after a commit; whoever
 * deletes a series or study must call forgetIndexedSeries().
 */
const seriesCaches = new WeakMap<Archive, Map<string, KnownSeries>>();
function seriesCacheFor(archive: Archive): Map<string, KnownSeries> {
  let cache = seriesCaches.get(archive);
  if (!cache) {
    cache = new Map();
    seriesCaches.set(archive, cache);
  }
  return cache;
}

/** Runs `work` while no ingest creates rows of that study (deletion uses it). */
export function withStudyLock<T>(archive: Archive, studyInstanceUid: string, work: () => Promise<T>): Promise<T> {
  return archive.locks.run('study', studyInstanceUid, work);
}

/**
 * Runs `work` while no ingest of that SOP Instance UID checks, writes or
 * commits (deletion re-checks a shared file's references under it). Never
 * take the study lock inside it: ingest takes them in the other order.
 */
export function withSopLock<T>(archive: Archive, sopInstanceUid: string, work: () => Promise<T>): Promise<T> {
  return archive.locks.run('sop', sopInstanceUid, work);
}

/**
 * Forgets the series rows given (all when none is given), and tells the
 * node's other processes to do the same (the 'series.forgotten' event:
 * lib/redis/archive-invalidation.ts publishes it); `fromPeer` when another
 * process told us.
 */
export function forgetIndexedSeries(archive: Archive, seriesIds?: readonly string[], options: { fromPeer?: boolean } = {}): void {
  const cache = seriesCacheFor(archive);
  if (!seriesIds) cache.clear();
  else for (const [key, known] of cache) if (seriesIds.includes(known.seriesId)) cache.delete(key);
  if (!options.fromPeer) archive.events.emit('series.forgotten', { seriesIds: seriesIds ? [...seriesIds] : undefined });
}

function seriesCacheKey(facilityId: string, studyInstanceUid: string, seriesInstanceUid: string): string {
  return `${facilityId}\u0000${studyInstanceUid}\u0000${seriesInstanceUid}`;
}

/** The facility's series row of the instance, created (with patient and study) on first use. */
async function ensureKnownSeries(
  archive: Archive,
  writer: NonNullable<Archive['instanceWriter']>,
  parsed: ParsedInstance,
  facilityId: string,
  patient: ReturnType<typeof patientKey>,
): Promise<KnownSeries> {
  const cache = seriesCacheFor(archive);
  const key = seriesCacheKey(facilityId, parsed.studyInstanceUid, parsed.seriesInstanceUid);
  const cached = cache.get(key);
  if (cached) return cached;
  // Once per series: patient/study/series rows through Prisma, committed
  // before the instance (a failed instance commit leaves an empty series
  // row, which the next send of the series fills).
  const created = await withStudyLock(archive, parsed.studyInstanceUid, () =>
    writer.withoutInterleavedCommits(() => archive.db.$transaction((tx) => ensureStudyAndSeries(tx, parsed, parsed.dataset, facilityId, patient, archive.regionPatientIdIssuer))),
  );
  const known = { ...created, facilityId, studyInstanceUid: parsed.studyInstanceUid };
  // Only after the commit: the rows now exist for everyone.
  cache.set(key, known);
  return known;
}

export interface IngestOptions {
  /** STOW-RS to /studies/{study}: refuse instances of any other study */
  expectedStudyInstanceUid?: string;
  /** C-STORE: the command's Affected SOP Class/Instance UIDs, which the dataset must carry */
  expectedSop?: { sopClassUid: string; sopInstanceUid: string };
  /**
   * The same bytes, already being written to the store as they arrived
   * (archive.store.begin()). Ingest owns it from here: it keeps it under
   * the instance's key or discards it, whatever the outcome.
   */
  incoming?: IncomingBlob;
  /**
   * A signed manifest (a paired node's transfer, lib/federation): the instance's SOP Instance
   * UID must be listed with exactly this SHA-256 (hex) of its bytes, or nothing is stored.
   */
  expectedSha256?: ReadonlyMap<string, string>;
}

/**
 * An instance too large to hold in memory (a STOW-RS part or a C-STORE
 * dataset above IN_MEMORY_INSTANCE_BYTES, instance-receiver.ts): its bytes
 * were written to `incoming` as they arrived and hashed on the way; only its
 * first bytes (which must hold the header) are here.
 */
export interface StreamedInstance {
  head: Buffer;
  size: number;
  /** SHA-256 of all `size` bytes, hex */
  sha256: string;
  incoming: IncomingBlob;
}

export async function ingestInstance(
  archive: Archive,
  input: Buffer | StreamedInstance,
  origin: IngestOrigin,
  facilityId: string,
  options: IngestOptions = {},
): Promise<IngestResult> {
  if (!Buffer.isBuffer(input)) return ingestStreamed(archive, input, origin, facilityId, options);
  const bytes = input;
  let incoming = options.incoming;
  // A streamed blob's fsync and the SHA-256 (WebCrypto: on the libuv pool,
  // not this thread) run while the header is parsed.
  incoming?.finish().catch(() => undefined);
  const digest = crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>).then((hash) => Buffer.from(hash).toString('hex'));
  digest.catch(() => undefined);
  try {
    const parsed = checkParsed(parseInstance(bytes), options);
    // Bad input was refused above, before a blob of ours existed for it
    if (!incoming) {
      incoming = archive.store.begin();
      incoming.write(bytes);
    }
    return await storeParsed(archive, bytes.length, parsed, origin, facilityId, incoming, digest, options.expectedSha256);
  } finally {
    // Kept under its key, or nothing left behind (a no-op after commit)
    await incoming?.discard();
  }
}

async function ingestStreamed(
  archive: Archive,
  input: StreamedInstance,
  origin: IngestOrigin,
  facilityId: string,
  options: IngestOptions,
): Promise<IngestResult> {
  const { incoming } = input;
  incoming.finish().catch(() => undefined);
  try {
    const parsed = checkParsed(await parseInstanceHead(input.head, input.size, (position, length) => incoming.read(position, length)), options);
    return await storeParsed(archive, input.size, parsed, origin, facilityId, incoming, Promise.resolve(input.sha256), options.expectedSha256);
  } finally {
    await incoming.discard();
  }
}

/** The header, refused with a precise code when it is not what the caller expects. */
function checkParsed(parsed: ParsedInstance, options: IngestOptions): ParsedInstance {
  if (options.expectedStudyInstanceUid && parsed.studyInstanceUid !== options.expectedStudyInstanceUid) {
    throw new ArchiveError(
      'STUDY_UID_MISMATCH',
      `instance ${parsed.sopInstanceUid} belongs to study ${parsed.studyInstanceUid}, not to ${options.expectedStudyInstanceUid}`,
      { sopInstanceUid: parsed.sopInstanceUid, sopClassUid: parsed.sopClassUid },
    );
  }
  if (options.expectedSop && parsed.sopClassUid !== options.expectedSop.sopClassUid) {
    throw new ArchiveError('BAD_REQUEST', `dataset SOP Class ${parsed.sopClassUid} is not the command's ${options.expectedSop.sopClassUid}`);
  }
  if (options.expectedSop && parsed.sopInstanceUid !== options.expectedSop.sopInstanceUid) {
    throw new ArchiveError('BAD_REQUEST', "the dataset's SOP Instance UID is not the command's Affected SOP Instance UID");
  }
  return parsed;
}

async function storeParsed(
  archive: Archive,
  byteLength: number,
  parsed: ParsedInstance,
  origin: IngestOrigin,
  facilityId: string,
  incoming: IncomingBlob,
  digest: Promise<string>,
  expectedSha256?: ReadonlyMap<string, string>,
): Promise<IngestResult> {
  const { size } = await incoming.finish();
  const sha256 = await digest;
  if (size !== byteLength) throw new ArchiveError('INTERNAL', `the stored copy has ${size} bytes, the instance ${byteLength}`);
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid } = parsed;
  if (expectedSha256) {
    const expected = expectedSha256.get(sopInstanceUid);
    const uids = { sopInstanceUid, sopClassUid: parsed.sopClassUid };
    if (!expected) throw new ArchiveError('BAD_REQUEST', `instance ${sopInstanceUid} is not in the manifest the sending node signed; not stored`, uids);
    if (expected !== sha256) throw new ArchiveError('BAD_REQUEST', `instance ${sopInstanceUid} arrived with SHA-256 ${sha256.slice(0, 16)}…, not the ${expected.slice(0, 16)}… the sending node signed; not stored`, uids);
  }
  const ds = parsed.dataset;
  const patient = patientKey(ds, facilityId);

  // Locks: per SOP Instance UID around check → write → commit (so a file is
  // never written under a key another ingest owns, and a study deletion that
  // removes a shared file re-checks its references under this lock), and per
  // study only when patient/study/series rows must be created. Always taken
  // in that order. Both are keyed by UID alone, so stores of one UID into two
  // facilities are serialized too.
  const writer = archive.instanceWriter;
  if (!writer) throw new ArchiveError('STORAGE_FAILURE', 'this archive was opened without an index connection; nothing was stored');
  return withSopLock(archive, sopInstanceUid, async () => {
    // Every facility's copy of this SOP Instance UID. The duplicate rule is
    // per facility: another facility's copy never refuses this store.
    const copies = await writer.findStoredInstances(sopInstanceUid);
    const own = copies.find((copy) => copy.facilityId === facilityId);
    if (own) {
      if (own.sha256 === sha256 && own.size === byteLength) return result('duplicate', own.id, own.size, own.seriesId);
      throw new ArchiveError(
        'DUPLICATE_CONFLICT',
        `SOP Instance ${sopInstanceUid} is already stored with different content; the stored instance is kept`,
      );
    }

    // Rows first (nothing on disk yet, so a refusal here leaves no file)
    const known = await ensureKnownSeries(archive, writer, parsed, facilityId, patient);

    // Identical bytes already stored under this SOP (any facility): this copy
    // points at that file, and the incoming one is discarded (the finally of
    // the caller). Other bytes get a key of their own.
    const identical = copies.find((copy) => copy.sha256 === sha256 && copy.size === byteLength);
    let blobKey: string;
    let wroteFile = false;
    if (identical) {
      blobKey = identical.blobKey;
    } else {
      const base = `${studyInstanceUid}/${seriesInstanceUid}/${sopInstanceUid}`;
      blobKey = copies.some((copy) => copy.blobKey === `${base}.dcm`) ? `${base}.${sha256.slice(0, 16)}.dcm` : `${base}.dcm`;
      await incoming.commit(blobKey);
      wroteFile = true;
    }
    // Every image: one insert and two atomic counter updates, one commit.
    const commit = (series: KnownSeries) =>
      writer.commitInstance({
        seriesId: series.seriesId,
        studyId: series.studyId,
        sopInstanceUid,
        sopClassUid: parsed.sopClassUid,
        instanceNumber: toInt(firstNumber(ds, '00200013')),
        transferSyntaxUid: parsed.transferSyntaxUid,
        blobKey,
        size: byteLength,
        sha256,
        numberOfFrames: parsed.numberOfFrames,
        frameIndex: JSON.stringify(parsed.frameIndex),
        attributes: JSON.stringify(pickTags(ds, INSTANCE_LEVEL_TAGS)),
        metadata: JSON.stringify(series.patientOverlay ? applyPatientOverlay(ds, series.patientOverlay) : ds),
        origin: describeOrigin(origin),
      });
    try {
      let series = known;
      let instanceId: string;
      try {
        instanceId = await commit(series);
      } catch (error) {
        if (error instanceof ArchiveError) throw error;
        // The series (or its study) this process remembered may have been deleted by another
        // process of the node since: forget it, make the rows again, commit once more
        forgetIndexedSeries(archive, [series.seriesId]);
        series = await ensureKnownSeries(archive, writer, parsed, facilityId, patient);
        if (series.seriesId === known.seriesId) throw error;
        instanceId = await commit(series);
      }
      return result('stored', instanceId, byteLength, series.seriesId);
    } catch (error) {
      if (wroteFile) {
        await archive.store.delete(blobKey).catch((deleteError: unknown) => {
          archive.logger.error('could not remove the file of a failed ingest', { blobKey, error: String(deleteError) });
        });
      }
      if (error instanceof ArchiveError) throw error;
      archive.logger.error('index commit failed', { sopInstanceUid, error: String(error) });
      // The database away (restart, failover) is said as such: retry shortly (HTTP 503 + Retry-After, DIMSE 0xA700)
      const unavailable = asArchiveError(error);
      if (unavailable instanceof ArchiveError) throw unavailable;
      throw new ArchiveError('STORAGE_FAILURE', 'the archive could not index the instance; nothing was stored');
    }
  });

  function result(status: IngestResult['status'], instanceId: string, size: number, seriesId: string): IngestResult {
    return {
      status,
      facilityId,
      seriesId,
      studyInstanceUid,
      seriesInstanceUid,
      sopInstanceUid,
      sopClassUid: parsed.sopClassUid,
      transferSyntaxUid: parsed.transferSyntaxUid,
      patientId: patient.patientId,
      instanceId,
      size,
    };
  }
}

type Transaction = Parameters<Parameters<Archive['db']['$transaction']>[0]>[0];

/** Creates (or finds) the patient, study and series rows of an instance. Runs under the study lock. */
async function ensureStudyAndSeries(
  tx: Transaction,
  parsed: ParsedInstance,
  ds: DicomJsonDataset,
  facilityId: string,
  patient: ReturnType<typeof patientKey>,
  regionPatientIdIssuer: string | undefined,
): Promise<{ seriesId: string; studyId: string; patientOverlay: DicomJsonDataset | null }> {
  const { studyInstanceUid, seriesInstanceUid } = parsed;
  // This facility's copy only: another facility's copy of the same UID is
  // neither merged with nor revealed to this one.
  const study = await tx.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } },
    select: { id: true, modalities: true, patient: { select: PATIENT_RECORD_VALUES } },
  });
  let studyId = study?.id;
  let patientOverlay = study ? patientOverlayOf(study.patient) : null;
  if (!studyId) {
    const upserted = await tx.patient.upsert({
      where: { facilityId_issuer_patientId: { facilityId, issuer: patient.issuer, patientId: patient.patientId } },
      create: {
        facilityId,
        patientId: patient.patientId,
        issuer: patient.issuer,
        name: patient.name,
        nameSearch: personNameSearchKey(patient.name),
        sex: patient.sex,
        birthDate: patient.birthDate,
      },
      // First-received demographics are kept; corrections come through the
      // HIS/RIS bridge (lib/hl7), not from image headers.
      update: {},
      select: { id: true, mergedIntoRef: true, ...PATIENT_RECORD_VALUES },
    });
    // A record merged into another (HL7 A40): its new images are the survivor's
    const record = upserted.mergedIntoRef ? await survivingRecord(tx, { ...upserted, facilityId, demographicsSource: '' }) : upserted;
    const patientRow = { id: record.id };
    patientOverlay = patientOverlayOf(record);
    // Once per new study of the facility: the record joins its region-wide
    // person when the images carry the region's ID (index/region-patient-link.ts)
    if (regionPatientIdIssuer) await linkByRegionPatientId(tx, patientRow.id, ds, regionPatientIdIssuer);
    const created = await tx.study.create({
      data: {
        facilityId,
        patientRef: patientRow.id,
        studyInstanceUid,
        studyDate: firstString(ds, '00080020'),
        studyTime: firstString(ds, '00080030'),
        accessionNumber: firstString(ds, '00080050'),
        studyId: firstString(ds, '00200010'),
        description: firstString(ds, '00081030'),
        referringPhysician: firstString(ds, '00080090'),
        referringPhysicianSearch: personNameSearchKey(firstString(ds, '00080090')),
        attributes: JSON.stringify(pickStudyAttributes(ds, patientOverlay)),
      },
      select: { id: true },
    });
    studyId = created.id;
  }

  const series = await tx.series.findUnique({ where: { studyRef_seriesInstanceUid: { studyRef: studyId, seriesInstanceUid } }, select: { id: true } });
  if (series) return { seriesId: series.id, studyId, patientOverlay };
  // Within one facility a Series Instance UID belongs to one study
  const elsewhere = await tx.series.findFirst({ where: { seriesInstanceUid, study: { facilityId } }, select: { id: true } });
  if (elsewhere) throw new ArchiveError('UID_CONFLICT', `Series Instance UID ${seriesInstanceUid} already belongs to another study`);

  const modality = normalizeForSearch(firstString(ds, '00080060'));
  const created = await tx.series.create({
    data: {
      studyRef: studyId,
      seriesInstanceUid,
      modality,
      seriesNumber: toInt(firstNumber(ds, '00200011')),
      description: firstString(ds, '0008103E'),
      bodyPart: firstString(ds, '00180015'),
      seriesDate: firstString(ds, '00080021'),
      attributes: JSON.stringify(pickTags(ds, SERIES_LEVEL_TAGS)),
    },
    select: { id: true },
  });
  // "\\CT\\SR\\": sorted, so the value does not depend on which series arrived first
  const known = (study?.modalities ?? '').split('\\').filter(Boolean);
  const modalities = modality && !known.includes(modality) ? `\\${[...known, modality].sort().join('\\')}\\` : study?.modalities ?? '';
  await tx.study.update({ where: { id: studyId }, data: { numberOfSeries: { increment: 1 }, modalities } });
  return { seriesId: created.id, studyId, patientOverlay };
}

const PATIENT_RECORD_VALUES = { patientId: true, issuer: true, name: true, sex: true, birthDate: true, demographicsAt: true } as const;

/** Study.attributes: the header's patient- and study-level tags, the patient's as the record serves them. */
function pickStudyAttributes(ds: DicomJsonDataset, overlay: DicomJsonDataset | null): DicomJsonDataset {
  const picked = pickTags(ds, [...PATIENT_LEVEL_TAGS, ...STUDY_LEVEL_TAGS]);
  return overlay ? applyPatientOverlay(picked, overlay) : picked;
}

function toInt(value: number | null): number | null {
  return value === null ? null : Math.trunc(value);
}

/**
 * The patient an instance belongs to, within its facility. PatientID is only
 * unique within its issuer (0010,0021). An empty PatientID (Type 2) must not
 * merge every anonymous patient into one: such instances are keyed by name and
 * birth date under a synthetic issuer.
 */
function patientKey(ds: DicomJsonDataset, facilityId: string) {
  const name = firstString(ds, '00100010');
  const birthDate = firstString(ds, '00100030');
  const patientId = firstString(ds, '00100020');
  let issuer = firstString(ds, '00100021');
  if (!patientId) {
    issuer = `telepacs:no-patient-id:${createHash('sha1').update(`${facilityId}|${name}|${birthDate}`).digest('hex').slice(0, 16)}`;
  }
  const sex = firstString(ds, '00100040').toUpperCase();
  return { patientId, issuer, name, birthDate, sex: ['M', 'F', 'O'].includes(sex) ? sex : '' };
}
