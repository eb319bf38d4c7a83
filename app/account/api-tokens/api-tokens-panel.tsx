'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { formatDateTime } from '../../admin/_components/format';
import { OneTimeSecret } from '../../admin/_components/one-time-secret';
import styles from '../../admin/admin.module.css';
import { DEFAULT_API_TOKEN_LIFETIME_DAYS, MAX_API_TOKEN_LIFETIME_DAYS, describeApiTokenExpiry } from '../../../lib/auth/api-token-lifetime';
import { useHydrated } from '../../_lib/use-hydrated';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

function statusOf(token: TokenRow, now: number): { text: string; active: boolean; title?: string } {
  const expiry = describeApiTokenExpiry(token, now);
  switch (expiry.state) {
    case 'revoked':
      return { text: `Revoked ${formatDateTime(token.revokedAt!)}`, active: false };
    case 'expired':
      return { text: `Expired ${formatDateTime(token.expiresAt!)}`, active: false };
    case 'never-expires':
      // Made before tokens had a lifetime: still accepted, but flagged.
      return { text: 'Active, never expires — replace it with a token that expires', active: true };
    default:
      return { text: `Active, ${expiry.text}`, active: true, title: `until ${formatDateTime(token.expiresAt!)}` };
  }
}

export function ApiTokensPanel({ tokens, now }: { tokens: TokenRow[]; now: number }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ name: string; token: string; expiresAt: string }>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(undefined);
    setFields({});
    setCreated(undefined);
    const result = await callApi<{ token: { name: string; token: string; expiresAt: string } }>('POST', '/api/account/api-tokens', { name: form.get('name'), expiresInDays: form.get('expiresInDays') });
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'The token could not be created.');
      setFields(result.data.fields ?? {});
      return;
    }
    setCreated({ name: result.data.token.name, token: result.data.token.token, expiresAt: result.data.token.expiresAt });
    formElement.reset();
    router.refresh();
  }

  async function revoke(token: TokenRow) {
    if (!window.confirm(`Revoke "${token.name}"? Programs using it stop working at once.`)) return;
    const result = await callApi('DELETE', `/api/account/api-tokens/${token.id}`);
    if (!result.ok) setError(result.data.message ?? 'The token could not be revoked.');
    router.refresh();
  }

  return (
    <>
      <section className={styles.section} aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">New token</h2>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <form method="post" onSubmit={submit} noValidate>
          <div className={styles.form}>
            <div className="field">
              <label htmlFor="token-name">Name</label>
              <input id="token-name" name="name" required maxLength={100} placeholder="Orthanc sync" aria-invalid={Boolean(fields.name)} aria-describedby={fields.name ? 'token-name-error' : undefined} />
              {fields.name && (
                <p className={styles.fieldError} id="token-name-error">
                  {fields.name}
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor="token-expiry">Expires after (days)</label>
              <input
                id="token-expiry"
                name="expiresInDays"
                inputMode="numeric"
                defaultValue={DEFAULT_API_TOKEN_LIFETIME_DAYS}
                aria-invalid={Boolean(fields.expiresInDays)}
                aria-describedby={fields.expiresInDays ? 'token-expiry-error token-expiry-hint' : 'token-expiry-hint'}
              />
              <p className={styles.hint} id="token-expiry-hint">
                {DEFAULT_API_TOKEN_LIFETIME_DAYS} days unless you choose otherwise; at most {MAX_API_TOKEN_LIFETIME_DAYS}. Make a new token before it expires.
              </p>
              {fields.expiresInDays && (
                <p className={styles.fieldError} id="token-expiry-error">
                  {fields.expiresInDays}
                </p>
              )}
            </div>
            <div className={styles.formActions}>
              <button type="submit" className="button" disabled={pending || !hydrated}>
                {pending ? 'Creating…' : 'Create token'}
              </button>
            </div>
          </div>
        </form>
        {created && (
          <OneTimeSecret
            title={`Token "${created.name}"`}
            value={created.token}
            note={`Copy it now: it is shown only once. Use it as Authorization: Bearer <token> for DICOMweb. It expires ${formatDateTime(created.expiresAt)}.`}
          />
        )}
      </section>
      <section className={styles.section} aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className={styles.empty}>You have no API tokens. Scripts and other PACS use one to call DICOMweb as you.</p>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const status = statusOf(token, now);
                return (
                  <tr key={token.id} className={status.active ? undefined : styles.disabledRow}>
                    <td data-label="Name">{token.name}</td>
                    <td data-label="Token starts with">
                      <code>tp_{token.prefix}_…</code>
                    </td>
                    <td data-label="Created">{formatDateTime(token.createdAt)}</td>
                    <td data-label="Last used">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'Never'}</td>
                    <td data-label="Status" title={status.title}>
                      {status.text}
                    </td>
                    <td data-label="Actions">
                      {status.active && (
                        <button type="button" className="button secondary small" onClick={() => void revoke(token)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
