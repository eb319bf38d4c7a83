'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ROLES } from '../../../lib/policy/roles';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { ROLE_LABELS, formatDateTime } from './format';
import { OneTimeSecret, linkUrl } from './one-time-secret';
import { useHydrated } from '../../_lib/use-hydrated';

interface CreatedLink {
  path: string;
  url: string | null;
  expiresAt: string;
}

export function InviteForm({ facilityId }: { facilityId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ email: string; url: string; expiresAt: string }>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(undefined);
    setFields({});
    setCreated(undefined);
    const result = await callApi<CreatedLink>('POST', `/api/admin/facilities/${facilityId}/invitations`, { email: form.get('email'), role: form.get('role') });
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'The invitation could not be created.');
      setFields(result.data.fields ?? {});
      return;
    }
    setCreated({ email: String(form.get('email')), url: linkUrl(result.data), expiresAt: result.data.expiresAt });
    formElement.reset();
    router.refresh();
  }

  return (
    <form method="post" onSubmit={submit} noValidate aria-labelledby="invite-heading">
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div className={styles.form}>
        <div className="field">
          <label htmlFor="invite-email">Email</label>
          <input id="invite-email" name="email" type="email" autoComplete="off" required maxLength={254} aria-invalid={Boolean(fields.email)} aria-describedby={fields.email ? 'invite-email-error' : undefined} />
          {fields.email && (
            <p className={styles.fieldError} id="invite-email-error">
              {fields.email}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="role" className={styles.select} defaultValue="REFERRING" aria-invalid={Boolean(fields.role)} aria-describedby={fields.role ? 'invite-role-error' : undefined}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
          {fields.role && (
            <p className={styles.fieldError} id="invite-role-error">
              {fields.role}
            </p>
          )}
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={pending || !hydrated}>
            {pending ? 'Creating…' : 'Create invitation link'}
          </button>
        </div>
      </div>
      {created && (
        <OneTimeSecret
          title={`Invitation link for ${created.email}`}
          value={created.url}
          note={`Send it to them yourself (Telepacs sends no email). It works once, until ${formatDateTime(created.expiresAt)}, and is not shown again.`}
        />
      )}
    </form>
  );
}
