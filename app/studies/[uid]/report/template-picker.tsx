'use client';
// No report yet: pick one of the facility's templates and start the draft.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callReportApi } from './report-api';
import styles from './report.module.css';

export function TemplatePicker({
  studyInstanceUid,
  referralId,
  templates,
  modalities,
}: {
  studyInstanceUid: string;
  /** The second-opinion case whose report this starts (null: the study's own report) */
  referralId: string | null;
  templates: { id: string; name: string; modality: string }[];
  modalities: string[];
}) {
  const router = useRouter();
  // The first template made for this study's modality, else the first one
  const [templateId, setTemplateId] = useState(() => (templates.find((template) => template.modality && modalities.includes(template.modality)) ?? templates[0])?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (templates.length === 0) return <p className="card">No report template is available to you for this study.</p>;
  async function start() {
    setBusy(true);
    setError('');
    const answer = await callReportApi('POST', `/api/studies/${studyInstanceUid}/reports`, referralId ? { templateId, referralId } : { templateId });
    if (answer.ok) router.refresh();
    else {
      setError(answer.message);
      setBusy(false);
    }
  }
  return (
    <section className={`card ${styles.picker}`} aria-labelledby="start-heading">
      <h2 id="start-heading">Start the report</h2>
      <div className="field">
        <label htmlFor="template">Template</label>
        <select id="template" value={templateId} onChange={(event) => setTemplateId(event.target.value)}>
          {templates.map((template) => (
            <option key={template.id} value={template.id}>
              {template.name}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button" onClick={start} disabled={busy || !templateId}>
        {busy ? 'Starting…' : 'Start report'}
      </button>
    </section>
  );
}
