'use client';
// What the upload stored, per study — patient, MRN, study, date, how many
// instances, links to the study and the patient — and what it did not, with
// the reason per file. Asked of /api/uploads/studies once nothing is left to send.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { UploadedStudy } from '../../lib/search/uploaded-studies';
import { displayDate, displayName } from '../../lib/display/dicom-display';
import { callApi } from '../admin/_components/api-call';

export function StoredStudies({ storedPerStudy, idle, failures }: { storedPerStudy: Map<string, number>; idle: boolean; failures: { path: string; reason?: string }[] }) {
  const [studies, setStudies] = useState<UploadedStudy[] | null>(null);
  const key = [...storedPerStudy.keys()].join('&');
  useEffect(() => {
    if (!idle || !key) return;
    let current = true;
    const query = key
      .split('&')
      .map((uid) => `uid=${encodeURIComponent(uid)}`)
      .join('&');
    void callApi<{ studies: UploadedStudy[] }>('GET', `/api/uploads/studies?${query}`).then((result) => {
      if (current && result.ok) setStudies(result.data.studies);
    });
    return () => {
      current = false;
    };
  }, [idle, key]);

  return (
    <>
      {studies && studies.length > 0 && (
        <section aria-labelledby="stored-heading" className="card" style={{ marginTop: '1rem' }}>
          <h2 id="stored-heading">Stored</h2>
          <ul className="list" data-testid="stored-studies">
            {studies.map((study) => (
              <li key={study.studyInstanceUid}>
                <span>
                  <Link href={`/patients/${study.patient.id}`}>{displayName(study.patient.name) || 'Patient without name'}</Link> · MRN{' '}
                  {study.patient.patientId || '—'} · <Link href={`/studies/${study.studyInstanceUid}`}>{study.description || 'Study without description'}</Link>
                  {study.studyDate ? ` · ${displayDate(study.studyDate)}` : ''} · {study.modalities.join(', ') || '—'} · {storedPerStudy.get(study.studyInstanceUid) ?? 0}{' '}
                  instance{storedPerStudy.get(study.studyInstanceUid) === 1 ? '' : 's'} stored now ({study.numberOfInstances} in the study) · {study.facility.name}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {idle && failures.length > 0 && (
        <section aria-labelledby="failed-heading" className="card" style={{ marginTop: '1rem' }}>
          <h2 id="failed-heading">Not stored</h2>
          <ul className="list" data-testid="failed-files">
            {failures.map((failure) => (
              <li key={failure.path}>
                <span>
                  <span className="path">{failure.path}</span>: {failure.reason ?? 'Failed'}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
