// One emergency transfer notice, for both teams (lib/transfers/get-transfer.ts): the status
// in colour, the patient (a temporary ID big, for the CT technologist), the condition,
// vitals (latest and every set), time since onset and the ETA (live), transport, the
// call-back number, the studies with their images' state, the timeline and response
// times, the Ask thread, and what the reader may do (view.may). Live: transfer:changed of
// this notice renders the page again. Anyone who takes no part gets the ordinary
// "not found", recorded for the sending facility.
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../lib/auth';
import { displayName } from '../../../lib/display/dicom-display';
import { isDomainError } from '../../../lib/errors';
import { getRuntime } from '../../../lib/runtime';
import { getTransfer, type TransferView } from '../../../lib/transfers/get-transfer';
import { transferFormChoices } from '../../../lib/transfers/transfer-form-choices';
import { transferServiceChoices } from '../../../lib/transfers/transfer-services';
import { OPEN_TRANSFER_STATUSES, vitalsWords } from '../../../lib/transfers/transfer-words';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { refusePage } from '../../_lib/refused-attempt';
import { LocalTime } from '../../referrals/_case/case-time';
import { secondsText } from '../_parts/response-time';
import { EtaCountdown, SinceOnset, ShortTime } from '../_parts/transfer-clock';
import { TransferLive } from '../_parts/transfer-live';
import styles from '../_parts/transfers.module.css';
import { TransferActions } from './transfer-actions';
import { TransferIdentify } from './transfer-identify';
import { TransferThread } from './transfer-thread';
import { TransferUpdate } from './transfer-update';

export const dynamic = 'force-dynamic';
// No patient name in the tab's title (it shows in the task bar and the history)
export const metadata: Metadata = { title: 'Transfer notice' };

function statusLine(view: TransferView): string {
  switch (view.status) {
    case 'SENT':
      return view.firstSeen ? `Not acknowledged — seen by ${view.firstSeen.by}` : 'Not acknowledged — alarm ringing';
    case 'ACKNOWLEDGED':
      return `Acknowledged by ${view.acknowledged?.by ?? ''}`;
    case 'ACCEPTED':
      return `Accepted by ${view.accepted?.by ?? ''}`;
    case 'ARRIVED':
      return `Arrived${view.arrived ? ` — recorded by ${view.arrived.by}` : ''}`;
    case 'CANCELLED':
      return `Cancelled${view.cancelled ? ` by ${view.cancelled.by}` : ''}`;
  }
}

/** When the notice reached its status (the alarm's start while it rings) */
function statusSince(view: TransferView): Date | null {
  const mark = { SENT: { at: view.alarmSince }, ACKNOWLEDGED: view.acknowledged, ACCEPTED: view.accepted, ARRIVED: view.arrived, CANCELLED: view.cancelled }[view.status];
  return mark?.at ?? null;
}

function detailsText(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['reason', 'note']) if (typeof details[key] === 'string' && details[key]) parts.push(String(details[key]));
  return parts.join(' · ');
}

export default async function TransferPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireSignedInUser(`/transfers/${id}`);
  const runtime = getRuntime();
  const client = clientAddressFromNormalizedHeaders(await headers());
  const actor = { userId: user.id, email: user.email, ip: client.ip, actingFacilityId: user.actingFacilityId };
  let view: TransferView;
  try {
    view = await getTransfer(runtime, actor, id);
  } catch (error) {
    if (isDomainError(error) && error.code === 'NOT_FOUND') return refusePage(user, 'transfer.view', { kind: 'transfer', id: id.slice(0, 64) }, `transfers/${id.slice(0, 64)}`);
    throw error;
  }
  const open = OPEN_TRANSFER_STATUSES.includes(view.status);
  const services = view.may.redirect ? (await transferServiceChoices(runtime)).filter((service) => service.id !== view.target.serviceId && !service.remote) : [];
  // The sender adds the studies made since sending (the CT done on the way out)
  let addable: { studyInstanceUid: string; label: string }[] = [];
  // An unidentified patient's record, once known: the patients of the facility's recent studies
  const identifiable: { ref: string; label: string }[] = [];
  const mayIdentify = view.patient.unidentified && view.sides.includes('SENDER');
  if (mayIdentify) {
    const recent = await transferFormChoices(runtime, actor).catch(() => null);
    const seen = new Set<string>([view.patient.ref ?? '']);
    for (const study of recent?.studies ?? []) {
      if (seen.has(study.patientRef)) continue;
      seen.add(study.patientRef);
      identifiable.push({ ref: study.patientRef, label: `${displayName(study.patientName) || 'Unknown patient'} · MRN ${study.patientId || '—'}` });
    }
  }
  if (view.may.update && view.patient.ref) {
    const choices = await transferFormChoices(runtime, actor, { patient: view.patient.ref }).catch(() => null);
    addable = (choices?.studies ?? [])
      .filter((study) => !view.studies.some((sent) => sent.studyInstanceUid === study.studyInstanceUid))
      .map((study) => ({ studyInstanceUid: study.studyInstanceUid, label: `${study.modalities || '—'} · ${study.description || 'Study without description'} · ${study.instances} image${study.instances === 1 ? '' : 's'}` }));
  }
  const name = displayName(view.patient.name);

  return (
    <>
      <PortalHeader user={user} />
      <TransferLive noticeId={view.id} />
      <main id="main" className="wide">
        <p className={styles.crumbs}>
          <Link href="/transfers">Emergency</Link> › Transfer notice
        </p>
        <div className={styles.banner} data-status={view.status} data-testid="transfer-status" role="status">
          <span>{statusLine(view)}</span>
          <small>
            {view.escalatedAt && view.status === 'SENT' ? 'Escalated · ' : ''}
            {statusSince(view) ? (
              <>
                {view.status === 'SENT' ? 'Alarm since' : 'At'} <ShortTime iso={statusSince(view)!.toISOString()} />
              </>
            ) : (
              view.statusWords
            )}
          </small>
        </div>
        {view.delivery && (
          <p className={styles.hint} data-testid="transfer-delivery" role="status">
            {view.delivery.words}
          </p>
        )}
        <div className={styles.top}>
          <h1>
            <span className={styles.condition} data-testid="transfer-condition">
              {view.conditionWords}
            </span>{' '}
            to {view.target.serviceName}, {view.target.facilityName}
          </h1>
        </div>
        {view.patient.unidentified && (
          <div className={styles.panel} data-testid="temporary-id">
            <p className={styles.hint}>Unidentified patient — temporary ID (type it as the Patient ID at the scanner):</p>
            <p className={styles.tempId}>{view.patient.patientId}</p>
            {mayIdentify && identifiable.length > 0 && <TransferIdentify noticeId={view.id} patients={identifiable} />}
          </div>
        )}
        <dl className={styles.facts}>
          <div>
            <dt>Patient</dt>
            <dd data-testid="transfer-patient">
              {view.patient.unidentified ? 'Unidentified' : name || '—'} · {view.patient.patientId || '—'}
            </dd>
          </div>
          <div>
            <dt>ETA</dt>
            <dd className={styles.big}>
              <EtaCountdown iso={view.etaAt.toISOString()} open={open} />
            </dd>
          </div>
          <div>
            <dt>Since onset</dt>
            <dd>
              <SinceOnset iso={view.onsetAt?.toISOString() ?? null} lastKnownWell={view.onsetIsLastKnownWell} />
            </dd>
          </div>
          <div>
            <dt>Transport</dt>
            <dd>{view.transportWords}</dd>
          </div>
          <div>
            <dt>From</dt>
            <dd>
              {view.sender.name}, {view.sender.facility.name}
            </dd>
          </div>
          <div>
            <dt>Call back</dt>
            <dd>{view.callbackPhone ? <a href={`tel:${view.callbackPhone.replace(/[^0-9+]/g, '')}`}>{view.callbackPhone}</a> : '—'}</dd>
          </div>
        </dl>
        <div className={styles.layout}>
          <div>
            <section className={styles.panel} aria-labelledby="clinical">
              <h2 id="clinical">Clinical</h2>
              {view.suspectedDiagnosis && (
                <p className={styles.text}>
                  <strong>Suspected:</strong> {view.suspectedDiagnosis}
                </p>
              )}
              {view.findings && <p className={styles.text}>{view.findings}</p>}
              <p className={styles.big} data-testid="transfer-vitals">
                {vitalsWords(view.vitals) || 'No vitals yet'}
              </p>
              {view.vitals.takenAt && (
                <p className={styles.hint}>
                  Taken <ShortTime iso={view.vitals.takenAt} />
                </p>
              )}
              {view.vitalsHistory.length > 1 && (
                <>
                  <h3>Earlier vitals</h3>
                  <ul className={styles.list}>
                    {view.vitalsHistory.slice(1).map((entry) => (
                      <li key={entry.at.toISOString()}>
                        <span>{vitalsWords(entry.vitals)}</span>
                        <small>
                          <LocalTime iso={entry.at.toISOString()} /> · {entry.by}
                        </small>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
            <section className={styles.panel} aria-labelledby="images">
              <h2 id="images">Images</h2>
              {view.arrivals.filter((arrival) => arrival.status !== 'DONE').map((arrival) => (
                <p key={arrival.studyInstanceUid} className={styles.hint} data-testid="transfer-arrival">
                  From {view.sender.facility.name}: {arrival.words}
                </p>
              ))}
              {view.studies.length === 0 ? (
                <p className={styles.hint}>No study sent yet.</p>
              ) : (
                <ul className={styles.list} data-testid="transfer-studies">
                  {view.studies.map((study) => (
                    <li key={study.studyInstanceUid}>
                      <span>
                        {study.modalities || '—'} · {study.description || 'Study without description'}
                        <small>
                          {study.instances} image{study.instances === 1 ? '' : 's'}{' '}
                          <span className={styles.imageState} data-state={study.state}>
                            {study.state === 'HERE' ? 'here' : study.state === 'ARRIVING' ? 'arriving' : 'no longer here'}
                          </span>
                        </small>
                      </span>
                      <span className={styles.actions}>
                        {study.viewerPath && (
                          <Link className="button small" href={study.viewerPath}>
                            Open images
                          </Link>
                        )}
                        {study.ohifPath && (
                          <a className="button secondary small" href={study.ohifPath}>
                            OHIF
                          </a>
                        )}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <TransferActions noticeId={view.id} may={view.may} services={services} />
            {view.may.update && <TransferUpdate noticeId={view.id} addable={addable} />}
          </div>
          <div>
            <section className={styles.panel} aria-labelledby="ask">
              <h2 id="ask">Ask</h2>
              <TransferThread noticeId={view.id} messages={view.messages.map((message) => ({ ...message, at: message.at.toISOString() }))} mayWrite={view.may.message} />
            </section>
            <section className={styles.panel} aria-labelledby="times">
              <h2 id="times">Response times</h2>
              <dl className={styles.facts}>
                <div>
                  <dt>Seen</dt>
                  <dd>{secondsText(view.responseSeconds.seen)}</dd>
                </div>
                <div>
                  <dt>Acknowledged</dt>
                  <dd>{secondsText(view.responseSeconds.acknowledged)}</dd>
                </div>
                <div>
                  <dt>Accepted</dt>
                  <dd>{secondsText(view.responseSeconds.accepted)}</dd>
                </div>
              </dl>
            </section>
            <section className={styles.panel} aria-labelledby="timeline">
              <h2 id="timeline">Timeline</h2>
              <ol className={styles.timeline} data-testid="transfer-timeline">
                {view.timeline.map((entry, index) => (
                  <li key={`${entry.at.toISOString()}-${index}`}>
                    <strong>{entry.words}</strong>
                    {entry.by ? ` — ${entry.by}` : ''}
                    {detailsText(entry.details) && <span>: {detailsText(entry.details)}</span>}
                    <small>
                      <LocalTime iso={entry.at.toISOString()} />
                    </small>
                  </li>
                ))}
              </ol>
            </section>
          </div>
        </div>
      </main>
    </>
  );
}
