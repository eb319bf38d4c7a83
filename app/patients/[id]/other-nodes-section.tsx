'use client';
// "At other nodes" on the patient page (issue 19, federated patient history): the person's
// studies held at paired nodes that this facility may see under the patient's consent, asked
// for after the page has loaded (GET /api/patients/:id/other-nodes: each node at most 3 s, one
// down is one line), each labelled by facility and node, with Retrieve (POST …/retrieve): the
// holding node sends it here; its arrival shows as progress (/api/federation/transfers), then
// the study is in this record's facility and in the imaging history above.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { displayDate } from '../../../lib/display/dicom-display';
import styles from './patient.module.css';
// Types only (erased): the shapes GET /api/patients/:id/other-nodes answers
import type { NodeHistory, StudyAtNode } from '../../../lib/federation/history/history-at-nodes';

interface Arrival {
  direction: string;
  status: string;
  done: number;
  total: number;
  progress: string;
}

const POLL_MS = 1_500;

export function OtherNodesSection({ patientRef }: { patientRef: string }) {
  const router = useRouter();
  const [nodes, setNodes] = useState<NodeHistory[]>();
  const [error, setError] = useState<string>();
  // Retrievals asked for on this page, by study: their arrival as last polled
  const [asked, setAsked] = useState<Record<string, { node: string; arrival: Arrival | null; message?: string }>>({});

  const load = useCallback(async () => {
    const result = await callApi<{ nodes: NodeHistory[] }>('GET', `/api/patients/${patientRef}/other-nodes`);
    if (result.ok) setNodes(result.data.nodes);
    else setError(result.data.message ?? 'The other nodes could not be asked.');
  }, [patientRef]);

  useEffect(() => {
    void load();
  }, [load]);

  // While a retrieval is on its way: its progress every POLL_MS, then the study in the history above
  const [tick, setTick] = useState(0);
  const waiting = Object.entries(asked)
    .filter(([, entry]) => !entry.message && entry.arrival?.status !== 'DONE')
    .map(([uid]) => uid)
    .join(' ');
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(async () => {
      for (const uid of waiting.split(' ')) {
        const result = await callApi<{ transfers: Arrival[] }>('GET', `/api/federation/transfers?study=${encodeURIComponent(uid)}`);
        const arrival = result.ok ? (result.data.transfers.find((row) => row.direction === 'IN') ?? null) : null;
        setAsked((previous) => ({ ...previous, [uid]: { ...previous[uid], arrival } }));
        if (arrival?.status === 'DONE') {
          await load();
          router.refresh();
        }
      }
      setTick((value) => value + 1);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, tick, load, router]);

  async function retrieve(node: NodeHistory, study: StudyAtNode) {
    setAsked((previous) => ({ ...previous, [study.studyInstanceUid]: { node: node.node, arrival: null } }));
    const result = await callApi('POST', `/api/patients/${patientRef}/other-nodes/retrieve`, { peerId: node.peerId, studyInstanceUid: study.studyInstanceUid });
    if (!result.ok) setAsked((previous) => ({ ...previous, [study.studyInstanceUid]: { node: node.node, arrival: null, message: result.data.message ?? 'The study could not be asked for.' } }));
  }

  return (
    <section aria-labelledby="other-nodes-heading" className={styles.links} data-testid="other-nodes">
      <h2 id="other-nodes-heading">At other nodes</h2>
      {error && <p className={styles.error} role="alert">{error}</p>}
      {!nodes && !error && <p aria-live="polite">Asking the paired nodes…</p>}
      {nodes && nodes.length === 0 && <p>This node is paired with no other node.</p>}
      {nodes?.map((node) => (
        <div key={node.peerId} data-testid="other-node">
          {node.status !== 'OK' ? (
            <p className={styles.error}>
              {node.node}: {node.status === 'UNREACHABLE' ? 'not reachable' : (node.message ?? 'refused')}
            </p>
          ) : node.studies.length === 0 ? (
            <p>{node.node}: no study of this patient that this facility may see.</p>
          ) : (
            <ul className={styles.records} aria-label={`Studies at ${node.node}`}>
              {node.studies.map((study) => {
                const mine = asked[study.studyInstanceUid];
                const arrival = mine?.arrival ?? study.arrival;
                const here = study.here || arrival?.status === 'DONE';
                return (
                  <li key={study.studyInstanceUid}>
                    <span>
                      <strong>{displayDate(study.studyDate) || 'no date'}</strong> · {study.modalities.join(', ') || '—'} · {study.description || 'Study without description'} · {study.numberOfInstances} image{study.numberOfInstances === 1 ? '' : 's'}
                      <br />
                      <small>
                        {study.facility.name} ({node.node})
                      </small>
                    </span>
                    {here ? (
                      <Link href={`/studies/${study.studyInstanceUid}`} className="button secondary small">
                        Here: open
                      </Link>
                    ) : arrival || (mine && !mine.message) ? (
                      <small aria-live="polite">{arrival ? `Arriving: ${arrival.done}/${arrival.total}` : 'Asked for…'}</small>
                    ) : (
                      <button type="button" className="button small" onClick={() => void retrieve(node, study)}>
                        Retrieve
                      </button>
                    )}
                    {mine?.message && <small className={styles.error} role="alert">{mine.message}</small>}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
