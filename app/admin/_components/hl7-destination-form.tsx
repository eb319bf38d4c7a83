'use client';
// Where the facility's signed reports go as ORU^R01: the RIS's MLLP listener
// (host, port), MSH-5/MSH-6 of the messages, and a switch to pause sending.
// Read from and saved to /api/admin/facilities/:id/hl7-destination.
import { useEffect, useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { SaveStatus, useAdminSave } from './use-admin-save';
import { useHydrated } from '../../_lib/use-hydrated';

interface Destination {
  host: string;
  port: number;
  receivingApplication: string;
  receivingFacility: string;
  enabled: boolean;
}

type Loaded = { state: 'loading' } | { state: 'unavailable'; message: string } | { state: 'ready'; destination: Destination | null };

export function Hl7DestinationForm({ facilityId }: { facilityId: string }) {
  const hydrated = useHydrated();
  const url = `/api/admin/facilities/${facilityId}/hl7-destination`;
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [formKey, setFormKey] = useState(0);
  const { pending, error, fieldErrors, save, setError } = useAdminSave();
  const [doneWords, setDoneWords] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    void callApi<{ destination: Destination | null }>('GET', url).then((result) => {
      if (cancelled) return;
      if (result.ok) setLoaded({ state: 'ready', destination: result.data.destination ?? null });
      // 404 from a signed-in admin's own facility: a server without the ORU sender (the page itself is gated)
      else setLoaded({ state: 'unavailable', message: result.status === 404 ? 'Sending reports over HL7 is not available on this server.' : (result.data.message ?? 'Where reports go could not be read.') });
    });
    return () => {
      cancelled = true;
    };
  }, [url]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const port = String(form.get('port') ?? '').trim();
    const body = {
      host: String(form.get('host') ?? '').trim(),
      // A number as the API's shape has it; anything else as typed, for the server to name what is wrong
      port: /^\d{1,5}$/.test(port) ? Number(port) : port,
      receivingApplication: String(form.get('receivingApplication') ?? '').trim(),
      receivingFacility: String(form.get('receivingFacility') ?? '').trim(),
      enabled: form.get('enabled') === 'on',
    };
    setDoneWords(undefined);
    const answer = await save<{ destination?: Destination }>('PUT', url, body, 'Where reports go could not be saved.');
    if (!answer) return;
    const destination = answer.destination ?? { ...body, port: Number(body.port) };
    setLoaded({ state: 'ready', destination });
    setDoneWords(destination.enabled ? `Saved: signed reports go to ${destination.host}:${destination.port}.` : 'Saved: sending is paused.');
  }

  async function remove() {
    if (!window.confirm('Stop sending reports to the RIS and forget this destination?')) return;
    setDoneWords(undefined);
    const result = await callApi('DELETE', url);
    if (!result.ok) {
      setError(result.data.message ?? 'The destination could not be removed.');
      return;
    }
    setLoaded({ state: 'ready', destination: null });
    setFormKey((key) => key + 1);
    setDoneWords('Removed: reports are not sent over HL7.');
  }

  if (loaded.state === 'loading') return <p className={styles.muted}>Loading…</p>;
  if (loaded.state === 'unavailable') {
    return (
      <p className="alert warn" role="note">
        {loaded.message}
      </p>
    );
  }
  const current = loaded.destination;
  const input = (name: keyof Omit<Destination, 'enabled'>, label: string, props: Record<string, unknown>) => (
    <div className="field">
      <label htmlFor={`hl7-destination-${name}`}>{label}</label>
      <input
        id={`hl7-destination-${name}`}
        name={name}
        defaultValue={current ? String(current[name]) : ''}
        aria-invalid={Boolean(fieldErrors[name])}
        aria-describedby={fieldErrors[name] ? `hl7-destination-${name}-error` : undefined}
        autoComplete="off"
        spellCheck={false}
        {...props}
      />
      {fieldErrors[name] && (
        <p className={styles.fieldError} id={`hl7-destination-${name}-error`}>
          {fieldErrors[name]}
        </p>
      )}
    </div>
  );
  return (
    <form method="post" key={formKey} onSubmit={submit} noValidate data-testid="hl7-destination">
      <SaveStatus error={error} done={doneWords} />
      {!current && <p className={styles.muted}>No destination: signed reports are not sent over HL7.</p>}
      <div className={styles.form}>
        {input('host', 'Host', { required: true, maxLength: 253, placeholder: 'ris.hospital.org' })}
        {input('port', 'Port', { required: true, inputMode: 'numeric', placeholder: '2575' })}
        {input('receivingApplication', 'Receiving application (MSH-5)', { maxLength: 180, placeholder: 'RIS' })}
        {input('receivingFacility', 'Receiving facility (MSH-6)', { maxLength: 180, placeholder: 'HOSPITAL' })}
      </div>
      <div className={styles.checks}>
        <label>
          <input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? true} /> Send signed and amended reports (ORU^R01)
        </label>
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={pending || !hydrated}>
          {pending ? 'Saving…' : 'Save destination'}
        </button>
        {current && (
          <button type="button" className="button secondary" onClick={() => void remove()}>
            Remove destination
          </button>
        )}
      </div>
    </form>
  );
}
