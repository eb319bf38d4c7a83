'use client';
// "Send to another node" on the study page (issue 19): choose a facility of a paired node
// (GET /api/federation/destinations, given by the page), optionally some series, and send
// (POST /api/federation/transfers). A share the patient's consent does not cover is refused
// before anything leaves (409 CONSENT_REQUIRED): the consent alert the other share forms use,
// coming back here with the destination still chosen. Below, the study's transfers with their
// progress ("312/500 at … (…)"), asked again every 2 s while one is still under way.
import { useEffect, useState } from 'react';
import { ConsentRequiredAlert, isConsentRequired, type ConsentRequiredAnswer } from '../../_components/consent/consent-required-alert';
import { callApi } from '../../admin/_components/api-call';
import styles from './study.module.css';

// Types only (erased): the shapes GET /api/federation/destinations and /api/federation/transfers answer
import type { Destination as NodeDestination } from '../../../lib/federation/peers/node-federation-view';
import type { TransferView as NodeTransfer } from '../../../lib/federation/transfers/transfer-view';

const FINISHED = ['DONE', 'FAILED', 'CANCELLED'];
const STATUS_LABELS: Record<string, string> = { QUEUED: 'Waiting to start', SENDING: 'Sending', RECEIVING: 'Receiving', DONE: 'Done', FAILED: 'Failed', CANCELLED: 'Cancelled' };
const POLL_MS = 2_000;

export function SendToNode({
  studyInstanceUid,
  destinations,
  series,
  initialTransfers,
  initialFacilityId,
}: {
  studyInstanceUid: string;
  /** Empty: no send control (the list of transfers only) */
  destinations: NodeDestination[];
  series: { seriesInstanceUid: string; label: string }[];
  initialTransfers: NodeTransfer[];
  initialFacilityId?: string;
}) {
  const [facilityId, setFacilityId] = useState(destinations.some((item) => item.facilityId === initialFacilityId) ? initialFacilityId! : '');
  const [chosenSeries, setChosenSeries] = useState<string[]>(series.map((item) => item.seriesInstanceUid));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [consentRequired, setConsentRequired] = useState<ConsentRequiredAnswer | null>(null);
  const [transfers, setTransfers] = useState<NodeTransfer[]>(initialTransfers);
  const underWay = transfers.some((transfer) => !FINISHED.includes(transfer.status));

  useEffect(() => {
    if (!underWay) return;
    let stopped = false;
    const timer = setInterval(async () => {
      const result = await callApi<{ transfers: NodeTransfer[] }>('GET', `/api/federation/transfers?study=${encodeURIComponent(studyInstanceUid)}`);
      if (!stopped && result.ok) setTransfers(result.data.transfers);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [underWay, studyInstanceUid]);

  async function send(): Promise<void> {
    setError(undefined);
    setFieldErrors({});
    setConsentRequired(null);
    if (!facilityId) return setFieldErrors({ facilityId: 'Choose the facility to send to.' });
    if (!chosenSeries.length) return setFieldErrors({ seriesUids: 'Choose at least one series.' });
    setPending(true);
    const whole = chosenSeries.length === series.length;
    const result = await callApi<NodeTransfer>('POST', '/api/federation/transfers', { studyInstanceUid, facilityId, ...(whole ? {} : { seriesUids: chosenSeries }) });
    setPending(false);
    if (result.ok) {
      setTransfers((list) => [result.data, ...list.filter((item) => item.id !== result.data.id)]);
      return;
    }
    if (isConsentRequired(result.status, result.data)) return setConsentRequired(result.data);
    setError(result.data.message ?? 'The study could not be sent.');
    setFieldErrors(result.data.fields ?? {});
  }

  const returnTo = `/studies/${encodeURIComponent(studyInstanceUid)}?sendTo=${encodeURIComponent(facilityId)}#send-to-node`;
  return (
    <section id="send-to-node" className={styles.sendToNode} aria-labelledby="send-to-node-heading" data-testid="send-to-node">
      <h2 id="send-to-node-heading">Send to another node</h2>
      {destinations.length > 0 && (
        <form
          className={styles.sendForm}
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          {error && (
            <p className="alert error" role="alert">
              {error}
            </p>
          )}
          {consentRequired && <ConsentRequiredAlert answer={consentRequired} recipient={{ kind: 'FACILITY', id: facilityId }} returnTo={returnTo} />}
          <div className="field">
            <label htmlFor="send-to-node-facility">Facility</label>
            <select id="send-to-node-facility" value={facilityId} onChange={(event) => setFacilityId(event.target.value)} aria-invalid={fieldErrors.facilityId ? true : undefined}>
              <option value="">Choose a facility…</option>
              {destinations.map((destination) => (
                <option key={destination.facilityId} value={destination.facilityId}>
                  {destination.facility} — {destination.node}
                </option>
              ))}
            </select>
            {fieldErrors.facilityId && (
              <p className={styles.fieldError} role="alert">
                {fieldErrors.facilityId}
              </p>
            )}
          </div>
          {series.length > 1 && (
            <fieldset className={styles.seriesChoice}>
              <legend>Series</legend>
              {series.map((item) => (
                <label key={item.seriesInstanceUid}>
                  <input
                    type="checkbox"
                    checked={chosenSeries.includes(item.seriesInstanceUid)}
                    onChange={(event) => setChosenSeries((list) => (event.target.checked ? [...list, item.seriesInstanceUid] : list.filter((uid) => uid !== item.seriesInstanceUid)))}
                  />
                  {item.label}
                </label>
              ))}
              {fieldErrors.seriesUids && (
                <p className={styles.fieldError} role="alert">
                  {fieldErrors.seriesUids}
                </p>
              )}
            </fieldset>
          )}
          <p className={styles.hint}>Only what the patient consented to leaves this node; the images are checked one by one on arrival.</p>
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Sending…' : 'Send'}
          </button>
        </form>
      )}
      {transfers.length > 0 && (
        <ul className={styles.transfers} data-testid="node-transfers">
          {transfers.map((transfer) => (
            <li key={transfer.id} data-status={transfer.status} data-testid="node-transfer">
              <div className={styles.transferHead}>
                <strong>{transfer.direction === 'OUT' ? `To ${transfer.remote.facility} (${transfer.remote.node})` : `From ${transfer.remote.facility} (${transfer.remote.node})`}</strong>
                <span className={transfer.status === 'DONE' ? styles.ok : transfer.status === 'FAILED' || transfer.status === 'CANCELLED' ? styles.bad : undefined} data-testid="node-transfer-status">
                  {STATUS_LABELS[transfer.status] ?? transfer.status}
                </span>
              </div>
              <progress className={styles.meter} value={transfer.done} max={Math.max(transfer.total, 1)} aria-label={`Progress of the transfer ${transfer.direction === 'OUT' ? 'to' : 'from'} ${transfer.remote.facility}`} />
              <p className={styles.progressText} data-testid="node-transfer-progress">
                {transfer.progress}
                {transfer.seriesUids.length ? ` · ${transfer.seriesUids.length} series` : ''} · asked by {transfer.requestedBy}
              </p>
              {transfer.lastError && (
                <p className={transfer.status === 'FAILED' || transfer.status === 'CANCELLED' ? styles.fieldError : styles.hint} data-testid="node-transfer-error">
                  {transfer.lastError}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
