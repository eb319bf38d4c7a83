'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { useHydrated } from '../../_lib/use-hydrated';

const CHOICES = [
  { value: 'NONE', label: 'Nobody is required to (anyone may set one up)' },
  { value: 'ADMINS', label: 'Administrators of this facility' },
  { value: 'EVERYONE', label: 'Everyone in this facility' },
] as const;

export function SecondFactorPolicyForm({ facilityId, policy }: { facilityId: string; policy: string }) {
  const router = useRouter();
  const [choice, setChoice] = useState(policy);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string }>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setMessage(undefined);
    const result = await callApi<{ sessionsSentToEnrolment: number }>('PUT', `/api/admin/facilities/${facilityId}/second-factor-policy`, { policy: choice });
    setPending(false);
    if (!result.ok) {
      setMessage({ kind: 'error', text: result.data.message ?? 'The setting could not be saved.' });
      return;
    }
    const sent = result.data.sessionsSentToEnrolment;
    setMessage({ kind: 'info', text: sent ? `Saved. ${sent} open session${sent === 1 ? '' : 's'} must set up a second factor before going on.` : 'Saved.' });
    router.refresh();
  }

  return (
    <form method="post" onSubmit={submit}>
      <fieldset className={styles.choices}>
        <legend>Required for</legend>
        {CHOICES.map((option) => (
          <label key={option.value}>
            <input type="radio" name="secondFactorPolicy" value={option.value} checked={choice === option.value} onChange={() => setChoice(option.value)} />
            {option.label}
          </label>
        ))}
      </fieldset>
      <div className={styles.formActions}>
        <button type="submit" className="button" disabled={pending || !hydrated || choice === policy}>
          {pending ? 'Saving…' : 'Save'}
        </button>
      </div>
      {message && (
        <p className={`alert ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
