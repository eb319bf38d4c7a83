'use client';
// Drag and drop (or pick) files, folders or zip files; they are sent as
// STOW-RS to /dicomweb/studies — the same ingest path as any modality — in
// batches, and every file gets a row with what happened to it; once all are
// sent, the studies stored (patient, study, links) and the files refused.
import { useCallback, useRef, useState, type DragEvent } from 'react';
import {
  assignStowResults,
  buildStowBody,
  describeHttpRefusal,
  newBoundary,
  oversizeReason,
  parseStowResponse,
  planBatches,
  retryDelayMs,
  stowContentType,
  type StowPartResult,
  type UploadLimits,
} from './stow-client';
import { StoredStudies } from './stored-studies';
import { entriesOfDrop, pickedFromDrop, pickedFromInput, toUploadSources, type UploadSource } from './upload-sources';

const FOLDER_INPUT = { webkitdirectory: '' } as Record<string, string>;

type RowStatus = 'pending' | 'sending' | 'stored' | 'failed' | 'skipped' | 'unknown';

interface UploadRow {
  id: number;
  path: string;
  size: number;
  status: RowStatus;
  sopInstanceUid?: string;
  reason?: string;
}

const STATUS_LABEL: Record<RowStatus, string> = {
  pending: 'Waiting',
  sending: 'Sending…',
  stored: 'Stored',
  failed: 'Failed',
  skipped: 'Skipped',
  unknown: 'See summary',
};

/** A batch refused with 503 (the user's uploads at once are capped) is sent again this many times */
const BUSY_RETRIES = 5;
const BATCH_BYTES = 64 * 1024 * 1024;

// One batch in flight per page: the archive caps a user's uploads at once
// (STOW_CONCURRENT_PER_USER); other tabs or tools of the same user may take
// the rest, so a 503 is waited out (Retry-After) and the batch sent again.
export function UploadPanel({ limits }: { limits: UploadLimits }) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const [dragActive, setDragActive] = useState(false);
  const [preparing, setPreparing] = useState(false);
  const [serverTotals, setServerTotals] = useState({ stored: 0, failed: 0 });
  // Instances stored per Study Instance UID, in the order the archive answered
  const [storedPerStudy, setStoredPerStudy] = useState<Map<string, number>>(new Map());
  const queue = useRef<{ row: UploadRow; source: UploadSource }[]>([]);
  const running = useRef(false);
  const nextId = useRef(1);

  const updateRows = useCallback((updates: Map<number, Partial<UploadRow>>) => {
    setRows((current) => current.map((row) => (updates.has(row.id) ? { ...row, ...updates.get(row.id) } : row)));
  }, []);

  const sendBatch = useCallback(
    async (batch: { row: UploadRow; source: UploadSource }[]): Promise<boolean> => {
      updateRows(new Map(batch.map(({ row }) => [row.id, { status: 'sending' as const }])));
      let results: StowPartResult[];
      let keepGoing = true;
      try {
        const files = await Promise.all(batch.map(({ source }) => source.read()));
        const boundary = newBoundary();
        let response: Response;
        for (let attempt = 0; ; attempt++) {
          response = await fetch('/dicomweb/studies', {
            method: 'POST',
            headers: { 'content-type': stowContentType(boundary), accept: 'application/dicom+json' },
            body: buildStowBody(files, boundary),
            credentials: 'same-origin',
          });
          if (response.status !== 503 || attempt >= BUSY_RETRIES) break;
          const wait = retryDelayMs(response.headers.get('retry-after'));
          await response.body?.cancel();
          updateRows(new Map(batch.map(({ row }) => [row.id, { reason: `Archive busy: sending again in ${Math.ceil(wait / 1000)} s` }])));
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        const contentType = response.headers.get('content-type') ?? '';
        if (contentType.includes('json') && [200, 202, 409].includes(response.status)) {
          const summary = parseStowResponse(await response.json());
          setServerTotals((totals) => ({ stored: totals.stored + summary.stored.length, failed: totals.failed + summary.failed.length }));
          setStoredPerStudy((current) => {
            const next = new Map(current);
            for (const { studyInstanceUid } of summary.stored) if (studyInstanceUid) next.set(studyInstanceUid, (next.get(studyInstanceUid) ?? 0) + 1);
            return next;
          });
          results = assignStowResults(batch.length, summary);
        } else {
          const reason = describeHttpRefusal(response.status, await response.text());
          results = batch.map(() => ({ status: 'failed', reason }));
          keepGoing = response.status !== 401 && response.status !== 403;
        }
      } catch (error) {
        results = batch.map(() => ({ status: 'failed', reason: `Could not reach the archive (${String(error)})` }));
      }
      updateRows(new Map(batch.map(({ row }, index) => [row.id, results[index]])));
      return keepGoing;
    },
    [updateRows],
  );

  const drainQueue = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      while (queue.current.length > 0) {
        const [batch] = planBatches(
          queue.current.map((item) => ({ ...item, size: item.source.size })),
          20,
          Math.min(BATCH_BYTES, limits.maxRequestBytes),
        );
        queue.current = queue.current.slice(batch.length);
        if (!(await sendBatch(batch))) {
          // Signed out or not allowed: the remaining files would fail the same way.
          const reason = 'Not sent: see the error above.';
          updateRows(new Map(queue.current.map(({ row }) => [row.id, { status: 'failed' as const, reason }])));
          queue.current = [];
        }
      }
    } finally {
      running.current = false;
    }
  }, [sendBatch, updateRows]);

  const addSources = useCallback(
    (sources: UploadSource[]) => {
      const newRows = sources.map((source) => {
        const tooLarge = source.skipped ? undefined : oversizeReason(source.size, limits);
        const row: UploadRow = {
          id: nextId.current++,
          path: source.path,
          size: source.size,
          status: source.skipped ? 'skipped' : tooLarge ? 'failed' : 'pending',
          reason: source.skipped ?? tooLarge,
        };
        if (!source.skipped && !tooLarge) queue.current.push({ row, source });
        return row;
      });
      setRows((current) => [...current, ...newRows]);
      void drainQueue();
    },
    [drainQueue, limits],
  );

  const prepare = useCallback(
    async (collect: () => Promise<Parameters<typeof toUploadSources>[0]>) => {
      setPreparing(true);
      try {
        addSources(await toUploadSources(await collect()));
      } finally {
        setPreparing(false);
      }
    },
    [addSources],
  );

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragActive(false);
    const dropped = entriesOfDrop(event.dataTransfer);
    void prepare(() => pickedFromDrop(dropped));
  }

  const counts = rows.reduce<Record<RowStatus, number>>(
    (totals, row) => ({ ...totals, [row.status]: totals[row.status] + 1 }),
    { pending: 0, sending: 0, stored: 0, failed: 0, skipped: 0, unknown: 0 },
  );
  const toSend = rows.length - counts.skipped;
  const done = counts.stored + counts.failed + counts.unknown;

  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading" className="visually-hidden">
        Choose images
      </h2>
      <div
        className={`dropzone${dragActive ? ' active' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setDragActive(true);
        }}
        onDragLeave={() => setDragActive(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop DICOM files, folders or .zip files here</strong>
          <br />
          <span className="lead">for example the DICOM folder of a patient CD</span>
        </p>
        <div className="actions">
          <label className="button">
            Choose files
            <input
              type="file"
              multiple
              className="visually-hidden"
              onChange={(event) => {
                const picked = pickedFromInput(event.currentTarget.files);
                event.currentTarget.value = '';
                void prepare(async () => picked);
              }}
            />
          </label>
          <label className="button secondary">
            Choose a folder
            <input
              type="file"
              multiple
              className="visually-hidden"
              // Folder selection (all current browsers); not in React's types. Rendered
              // by the server too: set in a ref, it was missing until hydration, so an
              // early click opened a file picker and tests found two file inputs.
              {...FOLDER_INPUT}
              onChange={(event) => {
                const picked = pickedFromInput(event.currentTarget.files);
                event.currentTarget.value = '';
                void prepare(async () => picked);
              }}
            />
          </label>
        </div>
      </div>

      {preparing ? (
        <p role="status" className="lead" style={{ marginTop: '1rem' }}>
          Reading files…
        </p>
      ) : null}

      {rows.length > 0 ? (
        <>
          <div className="summary" role="status" aria-live="polite">
            <span>
              <strong>{counts.stored}</strong> stored
            </span>
            <span>
              <strong>{counts.failed}</strong> failed
            </span>
            <span>
              <strong>{counts.skipped}</strong> skipped
            </span>
            <span>
              <strong>{counts.pending + counts.sending}</strong> waiting
            </span>
            {counts.unknown > 0 ? (
              <span>
                {counts.unknown} files could not be matched to the archive&apos;s answer; the archive reported {serverTotals.stored}{' '}
                stored and {serverTotals.failed} failed in total.
              </span>
            ) : null}
          </div>
          <progress max={Math.max(toSend, 1)} value={done} aria-label="Upload progress" />
          <StoredStudies
            storedPerStudy={storedPerStudy}
            idle={!preparing && counts.pending + counts.sending === 0}
            failures={rows.filter((row) => row.status === 'failed').map((row) => ({ path: row.path, reason: row.reason }))}
          />
          <table className="per-file">
            <caption className="visually-hidden">Result per file</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Result</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td className="path">{row.path}</td>
                  <td>
                    <span className={`status ${row.status}`}>{STATUS_LABEL[row.status]}</span>
                  </td>
                  <td className={row.status === 'stored' ? 'mono' : undefined}>{row.status === 'stored' ? row.sopInstanceUid : row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
