'use client';
// The facility's HL7 senders (MSH-3 application ^ MSH-4 facility): whose
// messages are filed here. Register and remove; HL7_SENDERS pairs are shown
// read-only ("from the configuration").
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

export interface Hl7SenderRow {
  id: string | null;
  application: string;
  sendingFacility: string;
  description: string;
  source: 'configuration' | 'database';
}

export function Hl7SendersPanel({ facilityId, senders }: { facilityId: string; senders: Hl7SenderRow[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const { pending, error, done, fieldErrors, save, saved, setError } = useAdminSave();
  const [formKey, setFormKey] = useState(0);
  const base = `/api/admin/facilities/${facilityId}/hl7-senders`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { application: form.get('application'), sendingFacility: form.get('sendingFacility'), description: form.get('description') };
    const answer = await save<{ sender: Hl7SenderRow }>('POST', base, body, 'The sender could not be registered.');
    if (!answer) return;
    setFormKey((key) => key + 1);
    saved(`${answer.sender.application}^${answer.sender.sendingFacility} registered: its messages are now filed under this facility.`);
  }

  async function remove(sender: Hl7SenderRow) {
    if (!sender.id || !window.confirm(`Remove ${sender.application}^${sender.sendingFacility}? Its next messages are refused (AR).`)) return;
    const result = await callApi('DELETE', `${base}/${sender.id}`);
    if (!result.ok) setError(result.data.message ?? 'The sender could not be removed.');
    else router.refresh();
  }

  const field = (name: 'application' | 'sendingFacility' | 'description', label: string, props: Record<string, unknown>) => (
    <div className="field">
      <label htmlFor={`hl7-sender-${name}`}>{label}</label>
      <input
        id={`hl7-sender-${name}`}
        name={name}
        aria-invalid={Boolean(fieldErrors[name])}
        aria-describedby={fieldErrors[name] ? `hl7-sender-${name}-error` : undefined}
        autoComplete="off"
        spellCheck={false}
        {...props}
      />
      {fieldErrors[name] && (
        <p className={styles.fieldError} id={`hl7-sender-${name}-error`}>
          {fieldErrors[name]}
        </p>
      )}
    </div>
  );

  return (
    <section className={styles.section} aria-labelledby="hl7-senders-heading">
      <h2 id="hl7-senders-heading">Senders ({senders.length})</h2>
      {senders.length === 0 ? (
        <p className={styles.empty}>No HL7 sender yet: messages from the RIS or HIS are refused (AR) until you register their sending application and facility below.</p>
      ) : (
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col">Sending application (MSH-3)</th>
              <th scope="col">Sending facility (MSH-4)</th>
              <th scope="col">Description</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {senders.map((sender) => (
              <tr key={`${sender.application}^${sender.sendingFacility}`} data-hl7-sender={`${sender.application}^${sender.sendingFacility}`}>
                <td data-label="Sending application (MSH-3)">
                  <strong>{sender.application}</strong>
                </td>
                <td data-label="Sending facility (MSH-4)">{sender.sendingFacility}</td>
                <td data-label="Description">
                  {sender.source === 'configuration' ? <span className="badge">from the configuration</span> : sender.description || <span className={styles.muted}>—</span>}
                </td>
                <td data-label="Change">
                  {sender.source === 'database' ? (
                    <button type="button" className="button secondary small" onClick={() => void remove(sender)}>
                      Remove
                    </button>
                  ) : (
                    <span className={styles.muted}>Change it in HL7_SENDERS</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Register a sender</h3>
      <form method="post" key={formKey} onSubmit={submit} noValidate>
        <SaveStatus error={error} done={done} />
        <div className={styles.form}>
          {field('application', 'Sending application (MSH-3)', { required: true, maxLength: 180, placeholder: 'RIS' })}
          {field('sendingFacility', 'Sending facility (MSH-4)', { required: true, maxLength: 180, placeholder: 'HOSPITAL' })}
          {field('description', 'Description (optional)', { maxLength: 200 })}
        </div>
        <div className={styles.actions}>
          <button type="submit" className="button" disabled={pending || !hydrated}>
            {pending ? 'Registering…' : 'Register sender'}
          </button>
        </div>
      </form>
    </section>
  );
}
