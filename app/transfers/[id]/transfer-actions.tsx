'use client';
// What the reader may do on the notice now (view.may): Acknowledge, Accept, Redirect
// (another service and why), Patient arrived, Cancel (the sender), Start teleconsultation.
// Each posts to /api/transfers/{id}/actions (or /consultation); a 409 CONFLICT (a colleague
// was first) shows its message and the page is rendered again either way.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import styles from '../_parts/transfers.module.css';

type Action = 'acknowledge' | 'accept' | 'redirect' | 'arrive' | 'cancel';
const LABEL: Record<Action, string> = { acknowledge: 'Acknowledge', accept: 'Accept', redirect: 'Redirect', arrive: 'Patient arrived', cancel: 'Cancel notice' };
const ORDER: Action[] = ['acknowledge', 'accept', 'redirect', 'arrive', 'cancel'];

interface Props {
  noticeId: string;
  may: Record<Action | 'update' | 'message' | 'consult', boolean>;
  services: { id: string; name: string; facilityName: string }[];
}

export function TransferActions({ noticeId, may, services }: Props) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [chosen, setChosen] = useState<'redirect' | 'cancel' | null>(null);
  const [serviceId, setServiceId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const shown = ORDER.filter((action) => may[action]);
  const open = chosen && may[chosen] ? chosen : null;
  const base = `/api/transfers/${encodeURIComponent(noticeId)}`;
  if (!shown.length && !may.consult) return null;

  const act = async (action: Action) => {
    const body: Record<string, unknown> = { action };
    if (action === 'redirect') Object.assign(body, { serviceId, reason });
    if (action === 'cancel') body.reason = reason;
    setBusy(true);
    setError(null);
    const result = await callApi<{ status: string }>('POST', `${base}/actions`, body);
    setBusy(false);
    if (result.ok && action === 'redirect') {
      // The notice is another service's now: most who redirect no longer see it
      router.push('/transfers');
      return;
    }
    if (result.ok) {
      setChosen(null);
      setReason('');
      setServiceId('');
    } else {
      setError({ message: result.data.message ?? `The server answered ${result.status}.`, fields: result.data.fields ?? {} });
    }
    if (result.ok || result.status === 409) router.refresh();
  };

  const consult = async () => {
    setBusy(true);
    setError(null);
    const result = await callApi<{ path: string }>('POST', `${base}/consultation`);
    if (result.ok) {
      window.location.assign(result.data.path);
      return;
    }
    setBusy(false);
    setError({ message: result.data.message ?? `The server answered ${result.status}.`, fields: {} });
  };

  return (
    <section className={styles.panel} aria-labelledby="transfer-actions">
      <h2 id="transfer-actions">Actions</h2>
      <div className={styles.actions}>
        {shown.map((action) =>
          action === 'redirect' || action === 'cancel' ? (
            <button key={action} type="button" className={`button secondary`} aria-expanded={open === action} disabled={!hydrated || busy} onClick={() => (setChosen(open === action ? null : action), setError(null))}>
              {LABEL[action]}…
            </button>
          ) : (
            <button key={action} type="button" className="button" disabled={!hydrated || busy} onClick={() => void act(action)}>
              {LABEL[action]}
            </button>
          ),
        )}
        {may.consult && (
          <button type="button" className="button secondary" disabled={!hydrated || busy} onClick={() => void consult()}>
            Start teleconsultation
          </button>
        )}
      </div>
      {open === 'redirect' && (
        <form
          className={styles.actionForm}
          onSubmit={(event) => {
            event.preventDefault();
            void act('redirect');
          }}
        >
          <label htmlFor="redirect-service">Send to</label>
          <select id="redirect-service" value={serviceId} onChange={(event) => setServiceId(event.target.value)} aria-invalid={error?.fields.serviceId ? true : undefined}>
            <option value="">Choose…</option>
            {services.map((service) => (
              <option key={service.id} value={service.id}>
                {service.name} — {service.facilityName}
              </option>
            ))}
          </select>
          {error?.fields.serviceId && <p className={styles.fieldError}>{error.fields.serviceId}</p>}
          <label htmlFor="redirect-reason">Why</label>
          <textarea id="redirect-reason" value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} aria-invalid={error?.fields.reason ? true : undefined} />
          {error?.fields.reason && <p className={styles.fieldError}>{error.fields.reason}</p>}
          <div className={styles.actions}>
            <button type="submit" className="button" disabled={busy}>
              Redirect the notice
            </button>
          </div>
        </form>
      )}
      {open === 'cancel' && (
        <form
          className={styles.actionForm}
          onSubmit={(event) => {
            event.preventDefault();
            void act('cancel');
          }}
        >
          <label htmlFor="cancel-reason">Why (optional)</label>
          <textarea id="cancel-reason" value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} />
          <div className={styles.actions}>
            <button type="submit" className="button danger" disabled={busy}>
              Cancel the notice
            </button>
          </div>
        </form>
      )}
      {error && (
        <div className="alert error" role="alert" data-testid="transfer-action-error">
          {error.message}
        </div>
      )}
    </section>
  );
}
