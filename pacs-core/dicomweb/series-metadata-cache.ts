// Precomputed WADO-RS series metadata (PS3.18 10.4.1.1.2, DICOM JSON F.2).
//
// DESIGN.md data flow 2: metadata is "precomputed per series, never parses
// every file". Ingest stores each instance's header as DICOM JSON
// (Instance.metadata) and bumps Series.metadataVersion; here the rows are
// joined into one array, the `{+base}` placeholder of BulkDataURIs is
// replaced by the DICOMweb root the client sees, and the result is kept
// gzip-compressed on disk:
//   <cacheDir>/series-metadata/<series row id>/v<metadataVersion>-<hash(baseUrl)>.json.gz
// Keyed by the Series row, not the UID: each facility holds its own copy of
// a study, so one Series Instance UID may name several series.
// A request then costs one indexed row read and one small file read; the
// gzip bytes go out as they are when the client accepts gzip.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip, gunzip } from 'node:zlib';
import type { Archive, IngestResult } from '../archive';
import { BASE_URL_PLACEHOLDER } from '../dicom/dicom-json';
import type { SeriesTarget } from './wado-lookup';

const gzipAsync = promisify(gzip);
export const gunzipAsync = promisify(gunzip);

export interface SeriesMetadata {
  /** gzip of the DICOM JSON array */
  gzip: Buffer;
  /** strong validator: changes with the series version and the base URL */
  etag: string;
  /** whether the bytes came from the cache file (false = just built) */
  fromCache: boolean;
  file: string;
}

function baseUrlHash(baseUrl: string): string {
  return createHash('sha256').update(baseUrl).digest('hex').slice(0, 16);
}

/** Row ids are cuids or UUIDs, but the directory name must be safe for any stored value. */
function seriesDirectory(archive: Archive, seriesId: string): string {
  return path.join(archive.cacheDir, 'series-metadata', seriesId.replace(/[^0-9A-Za-z-]/g, '_'));
}

export function seriesMetadataFile(archive: Archive, series: Pick<SeriesTarget, 'id' | 'metadataVersion'>, baseUrl: string): string {
  return path.join(seriesDirectory(archive, series.id), `v${series.metadataVersion}-${baseUrlHash(baseUrl)}.json.gz`);
}

/** Replaces the ingest placeholder inside JSON text; the URL is JSON-escaped because it lands inside a string. */
export function substituteBaseUrl(jsonText: string, baseUrl: string): string {
  const escaped = JSON.stringify(baseUrl).slice(1, -1);
  return jsonText.split(BASE_URL_PLACEHOLDER).join(escaped);
}

// Concurrent requests for the same missing file share one build.
const builds = new Map<string, Promise<Buffer>>();

/**
 * The compressed metadata of the series viewed last, in memory: a viewer asks
 * for the same series again and again, and reading even a 150 KB file through
 * fs.promises costs ~0.8 ms here. Keyed by the cache file's path, which
 * carries the series version and base URL, so an entry can never be stale.
 */
class RecentlyServed {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key); // most recently used last
      this.entries.set(key, value);
    }
    return value;
  }

  forgetUnder(prefix: string): void {
    for (const [key, buffer] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.bytes -= buffer.length;
    }
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.maxBytes / 4) return;
    const previous = this.entries.get(key);
    if (previous) this.bytes -= previous.length;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= buffer.length;
    }
  }
}

const recentlyServed = new RecentlyServed(64 * 1024 * 1024);

/**
 * Drops everything cached for a deleted series, on disk and in memory: a
 * re-ingest of the same UID starts its version at 0 again, so an old file
 * named for that version must not survive.
 */
export async function forgetSeriesMetadata(archive: Archive, seriesId: string): Promise<void> {
  const dir = seriesDirectory(archive, seriesId);
  recentlyServed.forgetUnder(dir + path.sep);
  // A warm-up of the series may be writing a file into it at this moment (ENOTEMPTY): try again
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/**
 * The gzip'd DICOM JSON array of a series, from the cache or built now.
 * `series.metadataVersion` must be read before the instances: a build then
 * holds at least every instance of that version (a concurrent ingest can only
 * add rows, and bumps the version so the next request rebuilds).
 */
export async function getSeriesMetadata(archive: Archive, series: SeriesTarget, baseUrl: string): Promise<SeriesMetadata> {
  const file = seriesMetadataFile(archive, series, baseUrl);
  const etag = `"${series.id}-v${series.metadataVersion}-${baseUrlHash(baseUrl)}"`;
  const remembered = recentlyServed.get(file);
  if (remembered) return { gzip: remembered, etag, fromCache: true, file };
  try {
    const gzipped = await readFile(file);
    recentlyServed.set(file, gzipped);
    return { gzip: gzipped, etag, fromCache: true, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let build = builds.get(file);
  if (!build) {
    build = buildSeriesMetadata(archive, series, baseUrl, file).finally(() => builds.delete(file));
    builds.set(file, build);
  }
  const built = await build;
  recentlyServed.set(file, built);
  return { gzip: built, etag, fromCache: false, file };
}

async function buildSeriesMetadata(archive: Archive, series: SeriesTarget, baseUrl: string, file: string): Promise<Buffer> {
  const rows = await archive.db.instance.findMany({
    where: { seriesRef: series.id },
    // PS3.18 does not fix an order; viewers stack by InstanceNumber, so we do too.
    orderBy: [{ instanceNumber: { sort: 'asc', nulls: 'last' } }, { sopInstanceUid: 'asc' }],
    select: { metadata: true },
  });
  // The rows are already DICOM JSON text: join them as text instead of
  // parse + stringify, which for a 500-image CT is most of the cost.
  const json = `[${rows.map((row) => substituteBaseUrl(row.metadata, baseUrl)).join(',')}]`;
  const compressed = await gzipAsync(Buffer.from(json, 'utf8'));
  await writeAtomically(file, compressed).catch((error: unknown) => {
    // A read-only or full cache directory must not fail the request: serve
    // what we built, log, and try again next time.
    archive.logger.warn('could not write the series metadata cache', { file, error: String(error) });
  });
  await removeStaleVersions(archive, series).catch(() => {});
  return compressed;
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, data);
  try {
    await rename(temp, file); // readers see the old file or the new one, never half of it
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Deletes cache files of older versions (any base URL); newer ones may be in use by a concurrent build. */
async function removeStaleVersions(archive: Archive, series: SeriesTarget): Promise<void> {
  const dir = seriesDirectory(archive, series.id);
  for (const name of await readdir(dir)) {
    const match = /^v(\d+)-[0-9a-f]+\.json\.gz$/.exec(name);
    if (match && Number(match[1]) < series.metadataVersion) await unlink(path.join(dir, name)).catch(() => {});
  }
}

/** The DICOM JSON array of a series as text (for study-level concatenation). */
export async function seriesMetadataText(archive: Archive, series: SeriesTarget, baseUrl: string): Promise<string> {
  const { gzip: compressed } = await getSeriesMetadata(archive, series, baseUrl);
  return (await gunzipAsync(compressed)).toString('utf8');
}

export interface SeriesMetadataWarmer {
  /** Builds every pending series now and waits (tests, graceful shutdown). */
  flush(): Promise<void>;
  /** Unsubscribes and cancels pending builds. */
  stop(): void;
  /** Builds these series' metadata now, for every base URL (the priors of a new order). */
  warmNow(seriesIds: readonly string[]): Promise<void>;
}

/**
 * Warms the cache after ingest settles: one build per series, `debounceMs`
 * after its last stored instance (a 500-image series arrives as 500 events;
 * building after each would be quadratic). `baseUrls` are the DICOMweb roots
 * clients use (e.g. "https://pacs.example.org/dicomweb"); a request through
 * another root still works, it just builds its own file on first use.
 */
export function startSeriesMetadataWarmer(
  archive: Archive,
  baseUrls: readonly string[],
  options: { debounceMs?: number } = {},
): SeriesMetadataWarmer {
  const debounceMs = options.debounceMs ?? 1000;
  const pending = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const warm = (seriesId: string): Promise<void> => {
    pending.delete(seriesId);
    const job = (async () => {
      const series = await archive.db.series.findUnique({
        where: { id: seriesId },
        select: { id: true, seriesInstanceUid: true, metadataVersion: true },
      });
      if (!series) return;
      for (const baseUrl of baseUrls) await getSeriesMetadata(archive, series, baseUrl);
    })()
      .catch((error: unknown) => {
        archive.logger.warn('series metadata warm-up failed', { seriesId, error: String(error) });
      })
      .finally(() => running.delete(job));
    running.add(job);
    return job;
  };

  const onStored = (result: IngestResult): void => {
    const seriesId = result.seriesId;
    clearTimeout(pending.get(seriesId));
    const timer = setTimeout(() => void warm(seriesId), debounceMs);
    timer.unref(); // never keep a shutting-down process alive for a cache
    pending.set(seriesId, timer);
  };
  archive.events.on('instance.stored', onStored);

  return {
    async flush() {
      for (const [seriesId, timer] of [...pending]) {
        clearTimeout(timer);
        void warm(seriesId);
      }
      await Promise.all([...running]);
    },
    async warmNow(seriesIds) {
      for (const seriesId of seriesIds) await warm(seriesId);
    },
    stop() {
      archive.events.off('instance.stored', onStored);
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
