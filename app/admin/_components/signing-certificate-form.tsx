'use client';
// The facility's report signing certificate: what signs its report PDFs now,
// and a form to replace it with one the hospital's CA issued (PEM certificate,
// then its CA chain, and the private key). The API checks it
// (lib/facilities/import-report-signing-certificate.ts) and says what is wrong.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { SigningCertificateView } from '../../../lib/facilities/report-signing-certificate.types';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { useHydrated } from '../../_lib/use-hydrated';

export function SigningCertificateForm({ facilityId, certificate }: { facilityId: string; certificate: SigningCertificateView | null }) {
  const router = useRouter();
  const [pem, setPem] = useState({ certificate: '', privateKey: '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string }>();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFields({});
    setMessage(undefined);
    const result = await callApi('PUT', `/api/admin/facilities/${facilityId}/report-signing-certificate`, { format: 'pem', ...pem });
    setPending(false);
    if (!result.ok) {
      setFields(result.data.fields ?? {});
      setMessage({ kind: 'error', text: result.data.message ?? 'The certificate could not be imported.' });
      return;
    }
    setPem({ certificate: '', privateKey: '' });
    setMessage({ kind: 'info', text: 'Imported. Reports signed from now on carry this certificate; PDFs signed before keep theirs.' });
    router.refresh();
  }

  return (
    <>
      {certificate ? (
        <dl className={styles.muted} data-testid="signing-certificate">
          <dt>Subject</dt>
          <dd>{certificate.subject}</dd>
          <dt>Issuer</dt>
          <dd>
            {certificate.issuer}
            {certificate.selfSigned ? ' (self-signed, made by Telepacs)' : ''}
          </dd>
          <dt>Valid</dt>
          <dd>
            {certificate.notBefore.slice(0, 10)} to {certificate.notAfter.slice(0, 10)}
          </dd>
          <dt>SHA-256 fingerprint</dt>
          <dd>
            <code>{certificate.sha256Fingerprint.match(/../g)?.join(':').toUpperCase()}</code>
          </dd>
        </dl>
      ) : (
        <p className={styles.muted}>None yet: a self-signed one is made at the first report signature, unless you import one first.</p>
      )}
      <form method="post" onSubmit={submit}>
        <div className="field">
          <label htmlFor="signing-certificate">Certificate (PEM; its CA chain may follow)</label>
          <textarea id="signing-certificate" rows={5} value={pem.certificate} onChange={(event) => setPem({ ...pem, certificate: event.target.value })} required spellCheck={false} aria-describedby="signing-certificate-error" />
          <p id="signing-certificate-error" className={styles.fieldError}>
            {fields.certificate}
          </p>
        </div>
        <div className="field">
          <label htmlFor="signing-key">Private key (PEM, not encrypted)</label>
          <textarea id="signing-key" rows={5} value={pem.privateKey} onChange={(event) => setPem({ ...pem, privateKey: event.target.value })} required spellCheck={false} autoComplete="off" aria-describedby="signing-key-error" />
          <p id="signing-key-error" className={styles.fieldError}>
            {fields.privateKey}
          </p>
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={pending || !hydrated}>
            {pending ? 'Importing…' : 'Import certificate'}
          </button>
        </div>
        {message && (
          <p className={`alert ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
      </form>
    </>
  );
}
