'use client';
// The facility's DICOM peers: register, edit, remove, and test with a real C-ECHO.
// A peer accepted from any address is a deliberate, visible exception.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { useHydrated } from '../../_lib/use-hydrated';

export interface PeerRow {
  id: string | null;
  aet: string;
  host: string;
  port: number;
  tls: boolean;
  requireClientCertificate: boolean;
  description: string;
  /** Associations accepted from any source address, not only the host's */
  anyAddress: boolean;
  source: 'configuration' | 'database';
}

/** What the server says about a C-ECHO: DICOM success or failure, nothing about the network. */
interface EchoOutcome {
  ok: boolean;
  message: string;
}

function echoKey(peer: PeerRow): string {
  return peer.id ?? `config:${peer.aet}`;
}

/** `tlsPort`: our DICOM TLS port, undefined when DICOM TLS is off (TLS peers cannot be saved then). */
export function DicomPeersPanel({ facilityId, peers, ourAet, tlsPort }: { facilityId: string; peers: PeerRow[]; ourAet: string; tlsPort: number | undefined }) {
  const router = useRouter();
  const [editing, setEditing] = useState<PeerRow | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  const [echoes, setEchoes] = useState<Record<string, EchoOutcome | 'running'>>({});
  // "Require its client certificate" implies "Use DICOM TLS" (a certificate is only shown over TLS)
  const [tls, setTls] = useState(false);
  const [clientCertificate, setClientCertificate] = useState(false);
  const startEditing = (peer: PeerRow | null) => {
    setEditing(peer);
    setTls(peer?.tls ?? false);
    setClientCertificate(peer?.requireClientCertificate ?? false);
    setFormKey((key) => key + 1);
    setFields({});
    setError(undefined);
  };
  const base = `/api/admin/facilities/${facilityId}/dicom-peers`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    setFields({});
    setSaved(undefined);
    const body = {
      aet: form.get('aet'),
      host: form.get('host'),
      port: form.get('port'),
      description: form.get('description'),
      tls: tls || clientCertificate,
      requireClientCertificate: clientCertificate,
      anyAddress: form.get('anyAddress') === 'on',
    };
    const result = editing?.id ? await callApi('PUT', `${base}/${editing.id}`, body) : await callApi('POST', base, body);
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'The peer could not be saved.');
      setFields(result.data.fields ?? {});
      return;
    }
    const where = body.tls ? ` on the DICOM TLS port ${tlsPort ?? ''}`.trimEnd() : '';
    setSaved(editing ? `${String(body.aet).trim()} saved.` : `${String(body.aet).trim()} registered: it may now connect to ${ourAet}${where}.`);
    startEditing(null);
    router.refresh();
  }

  async function remove(peer: PeerRow) {
    if (!peer.id || !window.confirm(`Remove ${peer.aet}? It can no longer connect or receive images.`)) return;
    const result = await callApi('DELETE', `${base}/${peer.id}`);
    if (!result.ok) setError(result.data.message ?? 'The peer could not be removed.');
    else router.refresh();
  }

  async function echo(peer: PeerRow) {
    const key = echoKey(peer);
    setEchoes((state) => ({ ...state, [key]: 'running' }));
    const result = await callApi<EchoOutcome>('POST', `${base}/${encodeURIComponent(key)}/echo`);
    setEchoes((state) => ({ ...state, [key]: result.ok ? result.data : { ok: false, message: result.data.message ?? 'The test could not run.' } }));
  }

  const field = (name: 'aet' | 'host' | 'port' | 'description', label: string, props: Record<string, unknown>) => (
    <div className="field">
      <label htmlFor={`peer-${name}`}>{label}</label>
      <input
        id={`peer-${name}`}
        name={name}
        defaultValue={editing ? String(editing[name]) : ''}
        aria-invalid={Boolean(fields[name])}
        aria-describedby={fields[name] ? `peer-${name}-error` : undefined}
        {...props}
      />
      {fields[name] && (
        <p className={styles.fieldError} id={`peer-${name}-error`}>
          {fields[name]}
        </p>
      )}
    </div>
  );

  const openToAnyAddress = peers.filter((peer) => peer.anyAddress);

  return (
    <>
      <section className={styles.section} aria-labelledby="peers-heading">
        <h2 id="peers-heading">Peers ({peers.length})</h2>
        {openToAnyAddress.length > 0 && (
          <p className="alert warn" role="note" data-testid="any-address-warning">
            <strong>Accepted from any address:</strong> {openToAnyAddress.map((peer) => peer.aet).join(', ')}. Anyone on the network who knows
            {openToAnyAddress.length === 1 ? ' this AE title' : ' these AE titles'} can query, retrieve and store this facility&apos;s images. Register
            the peer&apos;s own host instead wherever you can.
          </p>
        )}
        {peers.length === 0 ? (
          <p className={styles.empty}>No DICOM peer yet. Register a modality or PACS below so it can send images to {ourAet}.</p>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">AE title</th>
                <th scope="col">Address</th>
                <th scope="col">Description</th>
                <th scope="col">Test and change</th>
              </tr>
            </thead>
            <tbody>
              {peers.map((peer) => {
                const outcome = echoes[echoKey(peer)];
                return (
                  <tr key={echoKey(peer)} data-aet={peer.aet}>
                    <td data-label="AE title">
                      <strong>{peer.aet}</strong>
                      {peer.source === 'configuration' && (
                        <>
                          {' '}
                          <span className="badge">from configuration</span>
                        </>
                      )}
                    </td>
                    <td data-label="Address">
                      {peer.host}:{peer.port}
                      {peer.tls && (
                        <>
                          {' '}
                          <span className="badge" data-testid={`tls-${peer.aet}`}>
                            {peer.requireClientCertificate ? 'DICOM TLS, client certificate required' : 'DICOM TLS'}
                          </span>
                        </>
                      )}
                      {peer.anyAddress && (
                        <>
                          <br />
                          <span className={styles.bad}>Accepts associations from any address</span>
                        </>
                      )}
                    </td>
                    <td data-label="Description">{peer.description || <span className={styles.muted}>—</span>}</td>
                    <td data-label="Test and change">
                      <div className={styles.actions}>
                        <button type="button" className="button secondary small" disabled={outcome === 'running'} onClick={() => void echo(peer)}>
                          {outcome === 'running' ? 'Testing…' : 'C-ECHO'}
                        </button>
                        {peer.source === 'database' ? (
                          <>
                            <button type="button" className="button secondary small" onClick={() => startEditing(peer)}>
                              Edit
                            </button>
                            <button type="button" className="button secondary small" onClick={() => void remove(peer)}>
                              Remove
                            </button>
                          </>
                        ) : (
                          <span className={styles.muted}>Change it in DICOM_PEERS</span>
                        )}
                      </div>
                      <p aria-live="polite" style={{ margin: '0.35rem 0 0' }} data-testid={`echo-${peer.aet}`}>
                        {outcome && outcome !== 'running' && <span className={outcome.ok ? styles.ok : styles.bad}>{outcome.message}</span>}
                      </p>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section className={styles.section} aria-labelledby="peer-form-heading">
        <h2 id="peer-form-heading">{editing ? `Edit ${editing.aet}` : 'Register a peer'}</h2>
        {saved && (
          <p className="alert info" role="status">
            {saved}
          </p>
        )}
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <form method="post" key={formKey} onSubmit={submit} noValidate>
          <div className={styles.form}>
            {field('aet', 'AE title', { required: true, maxLength: 16, autoComplete: 'off', spellCheck: false })}
            {field('host', 'Host', { required: true, maxLength: 253, autoComplete: 'off', spellCheck: false, placeholder: '10.0.0.5' })}
            {field('port', 'Port', { required: true, inputMode: 'numeric', placeholder: '104' })}
            {field('description', 'Description (optional)', { maxLength: 200 })}
          </div>
          <fieldset className={styles.checks} aria-describedby="peer-tls-help">
            <legend>DICOM TLS</legend>
            <label>
              <input type="checkbox" name="tls" checked={tls || clientCertificate} disabled={clientCertificate} onChange={(event) => setTls(event.target.checked)} /> Use DICOM TLS
            </label>
            <label>
              <input
                type="checkbox"
                name="requireClientCertificate"
                checked={clientCertificate}
                onChange={(event) => setClientCertificate(event.target.checked)}
              />{' '}
              Require its client certificate
            </label>
            <p id="peer-tls-help" className={styles.muted}>
              {tlsPort === undefined
                ? 'DICOM TLS is off on this server (DICOM_TLS_PORT is not set): a TLS peer cannot be saved.'
                : `A TLS peer may connect only on port ${tlsPort} (TLS), and images are sent to it over TLS. With a client certificate required, its certificate must be issued by this server's DICOM_TLS_CA.`}
            </p>
            {fields.tls && (
              <p className={styles.fieldError} id="peer-tls-error">
                {fields.tls}
              </p>
            )}
          </fieldset>
          <fieldset className={styles.checks} aria-describedby="peer-anyAddress-hint">
            <legend>Calling address</legend>
            <label>
              <input type="checkbox" name="anyAddress" defaultChecked={editing?.anyAddress ?? false} /> Accept associations from any address
            </label>
            <p className={styles.muted} id="peer-anyAddress-hint">
              Off: only calls from the host above (its IP address, or every address its name resolves to) are accepted. On: anyone who knows the AE title
              can connect as this peer — only for a peer whose address changes and cannot be registered.
            </p>
          </fieldset>
          <div className={styles.actions}>
            <button type="submit" className="button" disabled={pending || !hydrated}>
              {pending ? 'Saving…' : editing ? 'Save changes' : 'Register peer'}
            </button>
            {editing && (
              <button type="button" className="button secondary" onClick={() => startEditing(null)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      </section>
    </>
  );
}
