'use client';
// The person's other records on the patient page, and for an administrator
// of both facilities: find a record of another facility by MRN or name and
// link it, or unlink one with a reason (/api/patients/:id/links...).
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { displayDate, displayName } from '../../../lib/display/dicom-display';
import styles from './patient.module.css';

export interface PanelRecord {
  id: string;
  patientId: string;
  name: string;
  /** As shown (displayDate) */
  birthDate: string;
  facility: string;
  /** "by the region-wide ID" or "by <admin>" */
  how: string;
  canUnlink: boolean;
}

interface Candidate {
  id: string;
  patientId: string;
  name: string;
  birthDate: string;
  facility: { code: string; name: string };
  linkedElsewhere: boolean;
}

export function PatientLinksPanel({ patientRef, records, canLink }: { patientRef: string; records: PanelRecord[]; canLink: boolean }) {
  const router = useRouter();
  const [query, setQuery] = useState('');
  const [candidates, setCandidates] = useState<Candidate[]>();
  const [unlinking, setUnlinking] = useState<string>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function run(method: string, url: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
    setPending(true);
    setError(undefined);
    const result = await callApi(method, url, body);
    setPending(false);
    if (result.ok) return result.data;
    setError(Object.values(result.data.fields ?? {})[0] ?? result.data.message ?? 'That did not work. Try again.');
    return undefined;
  }

  async function search(event: FormEvent) {
    event.preventDefault();
    const data = await run('GET', `/api/patients/${patientRef}/link-candidates?q=${encodeURIComponent(query)}`);
    if (data) setCandidates(data.candidates as Candidate[]);
  }

  async function link(candidate: Candidate) {
    if (!window.confirm(`Link ${displayName(candidate.name)}, MRN ${candidate.patientId || '—'} (${candidate.facility.name}) as the same person? Their studies then show in each other's history.`)) return;
    if (await run('POST', `/api/patients/${patientRef}/links`, { otherPatientId: candidate.id })) {
      setCandidates(undefined);
      setQuery('');
      router.refresh();
    }
  }

  async function unlink(event: FormEvent, record: PanelRecord) {
    event.preventDefault();
    if (await run('DELETE', `/api/patients/${patientRef}/links/${record.id}`, { reason })) {
      setUnlinking(undefined);
      setReason('');
      router.refresh();
    }
  }

  return (
    <section aria-labelledby="linked-records" className={styles.links}>
      <h2 id="linked-records">Same person in other records</h2>
      {records.length === 0 ? (
        <p>No other record of this patient is linked{canLink ? '' : ' that you may see'}.</p>
      ) : (
        <ul className={styles.records}>
          {records.map((record) => (
            <li key={record.id}>
              <span>
                <a href={`/patients/${record.id}`}>{record.facility}</a> · MRN {record.patientId || '—'} · {record.name}
                {record.birthDate && ` · born ${record.birthDate}`}
              </span>{' '}
              <small>Linked {record.how}</small>{' '}
              {record.canUnlink && unlinking !== record.id && (
                <button type="button" className="button secondary small" onClick={() => setUnlinking(record.id)}>
                  Unlink…
                </button>
              )}
              {unlinking === record.id && (
                <form method="post" onSubmit={(event) => unlink(event, record)} className={styles.inlineForm}>
                  <label htmlFor={`reason-${record.id}`}>Why is this not the same person?</label>
                  <input id={`reason-${record.id}`} value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} required />
                  <button type="submit" className="button small" disabled={pending}>
                    Unlink
                  </button>
                  <button type="button" className="button secondary small" onClick={() => setUnlinking(undefined)}>
                    Cancel
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {canLink && (
        <form method="post" onSubmit={search} className={styles.inlineForm} role="search">
          <label htmlFor="link-query">Link a record of this patient (MRN or name)</label>
          <input id="link-query" value={query} onChange={(event) => setQuery(event.target.value)} minLength={2} maxLength={64} required />
          <button type="submit" className="button secondary small" disabled={pending}>
            Search
          </button>
        </form>
      )}
      {candidates && (
        <ul aria-label="Records found" className={styles.records}>
          {candidates.length === 0 && <li>No record found in the facilities you administer.</li>}
          {candidates.map((candidate) => (
            <li key={candidate.id}>
              <span>
                {candidate.facility.name} · MRN {candidate.patientId || '—'} · {displayName(candidate.name)}
                {candidate.birthDate && ` · born ${displayDate(candidate.birthDate)}`}
              </span>{' '}
              {candidate.linkedElsewhere ? (
                <small>(linked to other records: unlink it there first)</small>
              ) : (
                <button type="button" className="button small" disabled={pending} onClick={() => link(candidate)}>
                  Link
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
    </section>
  );
}
