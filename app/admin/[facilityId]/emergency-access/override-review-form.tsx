'use client';
// Marks one emergency access justified or not, with a comment (required for
// "not justified"): POST /api/emergency-overrides/{id}/review, then a refresh.
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { callApi } from '../../_components/api-call';

export function OverrideReviewForm({ overrideId, current }: { overrideId: string; current: string }) {
  const router = useRouter();
  const id = useId();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    setFields({});
    const result = await callApi('POST', `/api/emergency-overrides/${overrideId}/review`, { status: form.get('status'), comment: String(form.get('comment') ?? '') });
    setPending(false);
    if (result.ok) return router.refresh();
    setError(result.data.message ?? 'The review could not be saved.');
    setFields(result.data.fields ?? {});
  }

  return (
    <form onSubmit={submit} aria-label="Review">
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <fieldset style={{ border: 0, padding: 0, margin: '0 0 0.5rem' }}>
        <legend>Was it justified?</legend>
        <label>
          <input type="radio" name="status" value="JUSTIFIED" required defaultChecked={current === 'JUSTIFIED'} /> Justified
        </label>{' '}
        <label>
          <input type="radio" name="status" value="NOT_JUSTIFIED" defaultChecked={current === 'NOT_JUSTIFIED'} /> Not justified
        </label>
        {fields.status && <p style={{ color: 'var(--bad)' }}>{fields.status}</p>}
      </fieldset>
      <label htmlFor={`${id}-comment`}>Comment</label>
      <br />
      <textarea id={`${id}-comment`} name="comment" rows={2} maxLength={2000} style={{ width: '100%' }} aria-invalid={Boolean(fields.comment)} />
      {fields.comment && <p style={{ color: 'var(--bad)', margin: 0 }}>{fields.comment}</p>}
      <p>
        <button type="submit" className="button small" disabled={pending}>
          {pending ? 'Saving…' : current === 'PENDING' ? 'Save review' : 'Change review'}
        </button>
      </p>
    </form>
  );
}
