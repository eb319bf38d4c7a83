'use client';
// Break-glass (issue 16): the clinician opens a patient's images without
// consent, re-entering their password and stating a reason, for 1 to 4 hours.
// Posts /api/emergency-overrides; on success calls onDeclared(id) (a workflow
// passes the id to its share) or, without it, refreshes the page, which then
// shows the images with the red banner. Reused by the referral and
// teleconsultation forms (use="share") and the patient page (use="self").
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { DEFAULT_OVERRIDE_HOURS, MAX_OVERRIDE_HOURS, MAX_OVERRIDE_REASON_TEXT, OVERRIDE_REASONS, type OverrideReasonCode } from '../../../lib/emergency-override/override-reason-words';
import { callApi } from '../../admin/_components/api-call';

interface Declared {
  id: string;
  endsAt: string;
  grants: number;
}

export function EmergencyOverrideDialog({
  patientRef,
  use = 'self',
  onDeclared,
  onCancel,
  label = 'Emergency access (no consent)',
  startOpen = false,
}: {
  patientRef: string;
  use?: 'self' | 'share';
  onDeclared?: (id: string, endsAt: string) => void;
  onCancel?: () => void;
  label?: string;
  startOpen?: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(startOpen);
  const [pending, setPending] = useState(false);
  const [reasonCode, setReasonCode] = useState<OverrideReasonCode | ''>('');
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});

  if (!open) {
    return (
      <button type="button" className="button danger" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    setFields({});
    const result = await callApi<Declared>('POST', '/api/emergency-overrides', {
      patientRef,
      use,
      reasonCode: form.get('reasonCode'),
      reasonText: String(form.get('reasonText') ?? ''),
      hours: Number(form.get('hours')),
      password: String(form.get('password') ?? ''),
    });
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'Emergency access could not be opened.');
      setFields(result.data.fields ?? {});
      return;
    }
    setOpen(false);
    if (onDeclared) onDeclared(result.data.id, result.data.endsAt);
    else router.refresh();
  }

  const fieldError = (name: string) =>
    fields[name] ? (
      <p id={`${id}-${name}-error`} className="field-error" style={{ color: 'var(--bad)', margin: '0.25rem 0 0' }}>
        {fields[name]}
      </p>
    ) : null;

  return (
    <form onSubmit={submit} className="card" aria-labelledby={`${id}-title`} style={{ borderLeft: '4px solid var(--bad)' }} data-emergency-override-form>
      <h2 id={`${id}-title`} style={{ marginTop: 0 }}>
        Emergency access without consent
      </h2>
      <p>
        Use this only when the patient cannot consent and their care cannot wait. It opens this patient&rsquo;s images {use === 'share' ? 'for this share' : 'to you'} for a limited
        time. Every access is recorded and your facility&rsquo;s privacy officer is told at once and reviews it.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <p>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <br />
        <select id={`${id}-reason`} name="reasonCode" required value={reasonCode} onChange={(event) => setReasonCode(event.target.value as OverrideReasonCode)} aria-invalid={Boolean(fields.reasonCode)}>
          <option value="" disabled>
            Choose a reason
          </option>
          {Object.entries(OVERRIDE_REASONS).map(([code, words]) => (
            <option key={code} value={code}>
              {words}
            </option>
          ))}
        </select>
        {fieldError('reasonCode')}
      </p>
      <p>
        <label htmlFor={`${id}-text`}>{reasonCode === 'OTHER' ? 'Explain the emergency' : 'Details (optional)'}</label>
        <br />
        <textarea id={`${id}-text`} name="reasonText" rows={3} maxLength={MAX_OVERRIDE_REASON_TEXT} required={reasonCode === 'OTHER'} aria-invalid={Boolean(fields.reasonText)} style={{ width: '100%' }} />
        {fieldError('reasonText')}
      </p>
      <p>
        <label htmlFor={`${id}-hours`}>For</label>
        <br />
        <select id={`${id}-hours`} name="hours" defaultValue={String(DEFAULT_OVERRIDE_HOURS)} aria-invalid={Boolean(fields.hours)}>
          {Array.from({ length: MAX_OVERRIDE_HOURS }, (_, index) => index + 1).map((hours) => (
            <option key={hours} value={hours}>
              {hours} hour{hours === 1 ? '' : 's'}
            </option>
          ))}
        </select>
        {fieldError('hours')}
      </p>
      <p>
        <label htmlFor={`${id}-password`}>Your password</label>
        <br />
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required aria-invalid={Boolean(fields.password)} />
        {fieldError('password')}
      </p>
      <p>
        <button type="submit" className="button danger" disabled={pending}>
          {pending ? 'Opening…' : 'Open emergency access'}
        </button>{' '}
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setOpen(false);
            onCancel?.();
          }}
        >
          Cancel
        </button>
      </p>
    </form>
  );
}
