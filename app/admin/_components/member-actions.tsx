'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ROLES } from '../../../lib/policy/roles';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { ROLE_LABELS, formatDateTime } from './format';
import { OneTimeSecret, linkUrl } from './one-time-secret';

interface Member {
  id: string;
  name: string;
  email: string;
  role: string;
  disabled: boolean;
  secondFactor: boolean;
  isSelf: boolean;
}

/** Role, enable/disable and password reset for one member row. */
export function MemberActions({ facilityId, member }: { facilityId: string; member: Member }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [reset, setReset] = useState<{ url: string; expiresAt: string }>();
  const [role, setRole] = useState(member.role);
  const base = `/api/admin/facilities/${facilityId}/members/${member.id}`;

  async function run(method: string, url: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
    setPending(true);
    setError(undefined);
    const result = await callApi(method, url, body);
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'That did not work. Try again.');
      return undefined;
    }
    router.refresh();
    return result.data;
  }

  return (
    <div>
      <div className={styles.actions}>
        <label className="visually-hidden" htmlFor={`role-${member.id}`}>
          Role of {member.name}
        </label>
        {/* Applied with its own button: a keyboard user arrowing through a
            closed select fires a change per option. */}
        <select
          id={`role-${member.id}`}
          className={styles.select}
          value={role}
          disabled={pending || member.isSelf}
          title={member.isSelf ? 'You cannot change your own role' : undefined}
          onChange={(event) => setRole(event.target.value)}
        >
          {!ROLES.includes(member.role as (typeof ROLES)[number]) && <option value={member.role}>{member.role}</option>}
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </select>
        {role !== member.role && (
          <button type="button" className="button small" disabled={pending} onClick={() => void run('PATCH', base, { role })}>
            Save role
          </button>
        )}
        {!member.isSelf && (
          <button
            type="button"
            className="button secondary small"
            disabled={pending}
            onClick={() => {
              if (!member.disabled && !window.confirm(`Disable ${member.name}? They are signed out everywhere at once.`)) return;
              void run('PATCH', base, { disabled: !member.disabled });
            }}
          >
            {member.disabled ? 'Enable' : 'Disable'}
          </button>
        )}
        {!member.disabled && (
          <button
            type="button"
            className="button secondary small"
            disabled={pending}
            onClick={async () => {
              const data = (await run('POST', `${base}/password-reset`)) as { path: string; url: string | null; expiresAt: string } | undefined;
              if (data) setReset({ url: linkUrl(data), expiresAt: data.expiresAt });
            }}
          >
            Reset password
          </button>
        )}
        {member.secondFactor && !member.isSelf && (
          <button
            type="button"
            className="button secondary small"
            disabled={pending}
            onClick={() => {
              if (!window.confirm(`Reset the second factor of ${member.name}? Their authenticator app and recovery codes stop working, they are signed out, and they set up a new phone at their next sign-in.`)) return;
              void run('DELETE', `${base}/second-factor`);
            }}
          >
            Reset second factor
          </button>
        )}
      </div>
      {error && (
        <p className="alert error" role="alert" style={{ marginTop: '0.5rem' }}>
          {error}
        </p>
      )}
      {reset && (
        <OneTimeSecret
          title={`Password reset link for ${member.email}`}
          value={reset.url}
          note={`Their current password keeps working until they use it. It works once, until ${formatDateTime(reset.expiresAt)}, and is not shown again.`}
        />
      )}
    </div>
  );
}
