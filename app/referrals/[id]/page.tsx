// One second-opinion case as one of its parties sees it (lib/referrals/get-referral.ts):
// the patient, priority, status, due time, who asked whom and who has it, the
// studies (open in the viewer), the question, attachments, what the caller may
// do now (view.actions → POST /api/referrals/{id}/transitions), the report, the
// teleconsultations, the timeline and the conversation. Live: a change of the
// case (referral:changed in the reader's user room) refreshes the page. Anyone
// else gets the ordinary "not found", recorded for the case's facility.
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../lib/auth';
import { displayDate, displayName, displaySex } from '../../../lib/display/dicom-display';
import { isDomainError } from '../../../lib/errors';
import { ohifViewerUrl } from '../../../lib/ohif/viewer-url';
import { getReferral, type ReferralView } from '../../../lib/referrals/get-referral';
import { OPEN_STATUSES, STATUS_WORDS, type ReferralStatus } from '../../../lib/referrals/referral-states';
import { listReferralAddressees } from '../../../lib/referrals/list-addressees';
import { getRuntime } from '../../../lib/runtime';
import { PortalHeader } from '../../_components/portal-header';
import { OverrideBanner } from '../../_components/consent/override-banner';
import { requireSignedInUser } from '../../_lib/current-user';
import { refusePage } from '../../_lib/refused-attempt';
import { AttachmentLinks } from '../_case/attachment-links';
import { DueTime, LocalTime } from '../_case/case-time';
import styles from '../_case/case.module.css';
import { CaseActions } from './case-actions';
import { CaseLive } from './case-live';
import { CaseThread } from './case-thread';

export const dynamic = 'force-dynamic';
// No patient name in the tab's title (it shows in the task bar and the history)
export const metadata: Metadata = { title: 'Second-opinion case' };

const PRIORITY_WORDS: Record<string, string> = { STAT: 'STAT', URGENT: 'Urgent', ROUTINE: 'Routine' };
const CONSULTABLE = ['ACCEPTED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED'];
const EVENT_WORDS: Record<string, string> = {
  create: 'Created',
  send: 'Sent',
  claim: 'Claimed',
  decline: 'Declined',
  redirect: 'Sent to someone else',
  start: 'Started reading',
  ask: 'Asked a question',
  answer: 'Answered',
  complete: 'Report signed',
  close: 'Closed',
  cancel: 'Cancelled',
  forward: 'Forwarded',
  escalate: 'Passed its due time',
  deliver: 'Delivered to the other node',
};

export default async function ReferralCasePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireSignedInUser(`/referrals/${id}`);
  const runtime = getRuntime();
  const client = clientAddressFromNormalizedHeaders(await headers());
  const principal = { userId: user.id, email: user.email, ip: client.ip };
  let view: ReferralView;
  try {
    view = await getReferral(runtime, principal, id);
  } catch (error) {
    if (isDomainError(error) && error.code === 'NOT_FOUND') return refusePage(user, 'referral.view', { kind: 'referral', id: id.slice(0, 64) }, `referrals/${id.slice(0, 64)}`);
    throw error;
  }
  const needsPicker = view.actions.includes('forward') || view.actions.includes('redirect');
  const addressees = needsPicker ? await listReferralAddressees(runtime, principal) : { services: [], experts: [] };
  const primary = view.studies.find((study) => study.primary) ?? view.studies[0];
  const isParty = view.roles.includes('REQUESTER') || view.roles.includes('OWNER');
  // With a doctor of another node the case's one-click session cannot be (they have no account here)
  const mayConsult = isParty && view.owner !== null && view.node === null && CONSULTABLE.includes(view.status);
  const name = displayName(view.patient.name);
  const addresseeWords = `${view.addressee.name}${view.addressee.kind === 'service' ? ' (service)' : ''}, ${view.addressee.facilityName}`;
  const reportPath = primary ? `/studies/${primary.studyInstanceUid}/report?referral=${encodeURIComponent(view.id)}` : null;
  const signed = view.report !== null && view.report.status !== 'DRAFT' && view.report.status !== 'PRELIMINARY';

  return (
    <>
      <PortalHeader user={user} />
      <CaseLive referralId={view.id} unreadKey={view.unread > 0 ? `${view.unread}:${view.messages[view.messages.length - 1]?.id ?? ''}` : null} />
      <main id="main" className="wide">
        <p className={styles.crumbs}>
          <Link href="/referrals">Second opinions</Link> › Case
        </p>
        <OverrideBanner overrides={view.emergencyOverrides} />
        <div className={styles.top}>
          <div>
            <h1>
              Second opinion: {name || 'Unknown patient'}
              {view.unread > 0 && <span className={styles.unread}>{view.unread} unread</span>}
            </h1>
            <div className={styles.badges}>
              <span className={styles.priority} data-priority={view.priority} data-testid="priority">
                {PRIORITY_WORDS[view.priority] ?? view.priority}
              </span>
              <span className={styles.statusWords} data-testid="status" data-status={view.status}>
                {view.statusWords}
              </span>
              {view.dueAt && (
                <span>
                  · Due <DueTime iso={view.dueAt.toISOString()} open={OPEN_STATUSES.includes(view.status as ReferralStatus)} overdue={view.overdue} />
                </span>
              )}
            </div>
          </div>
        </div>
        <dl className={styles.facts}>
          <div>
            <dt>Patient</dt>
            <dd>
              {name || '—'} · MRN {view.patient.patientId || '—'}
            </dd>
          </div>
          <div>
            <dt>Born · sex</dt>
            <dd>
              {displayDate(view.patient.birthDate) || '—'} · {displaySex(view.patient.sex) || '—'}
            </dd>
          </div>
          <div>
            <dt>Requested by</dt>
            <dd data-testid="requester">
              {view.requester.remote ? view.requester.name : `${view.requester.name}, ${view.requester.facilityName}`}
            </dd>
          </div>
          <div>
            <dt>Asked of</dt>
            <dd data-testid="addressee">{addresseeWords}</dd>
          </div>
          {view.node && (
            <div>
              <dt>Other node</dt>
              <dd data-testid="case-node">
                {view.node.direction === 'RECEIVED' ? `Received from ${view.node.name}` : view.node.delivered ? `Delivered to ${view.node.name}` : `Waiting to reach ${view.node.name}`}
              </dd>
            </div>
          )}
          <div>
            <dt>Who has it</dt>
            <dd data-testid="owner">{view.owner ? view.owner.name : view.status === 'REQUESTED' ? 'Waiting to be claimed' : '—'}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd>{view.requestedAt ? <LocalTime iso={view.requestedAt.toISOString()} /> : 'Not yet (draft)'}</dd>
          </div>
        </dl>

        <div className={styles.layout}>
          <div>
            <section className={styles.panel} aria-labelledby="question-heading">
              <h2 id="question-heading">Clinical question</h2>
              <p className={styles.question} data-testid="question">
                {view.question}
              </p>
              {view.history && (
                <>
                  <h3>Relevant history</h3>
                  <p className={styles.question}>{view.history}</p>
                </>
              )}
              {view.attachments.length > 0 && (
                <>
                  <h3>Attachments</h3>
                  <AttachmentLinks referralId={view.id} attachments={view.attachments} />
                </>
              )}
            </section>

            <section className={styles.panel} aria-labelledby="studies-heading">
              <h2 id="studies-heading">Studies</h2>
              <ul className={styles.studies}>
                {view.studies.map((study) => (
                  <li key={study.studyInstanceUid}>
                    <span>
                      {displayDate(study.studyDate) || 'Unknown date'} · {study.modalities.join(', ') || '—'} · {study.description || 'Study without description'}
                      {study.primary && <strong> (the study to report)</strong>}
                      <small>{study.facilityName}</small>
                    </span>
                    {!study.available && study.arriving ? (
                      <small data-testid="study-arriving">Images {study.arriving}</small>
                    ) : study.available ? (
                      <a className="button small secondary" href={ohifViewerUrl(study.studyInstanceUid)}>
                        Open in viewer
                      </a>
                    ) : (
                      <small>No longer in the archive</small>
                    )}
                  </li>
                ))}
              </ul>
            </section>

            <section className={styles.panel} aria-labelledby="actions-heading">
              <h2 id="actions-heading">What you can do</h2>
              <CaseActions
                referralId={view.id}
                revision={view.revision}
                status={view.status}
                actions={view.actions}
                addressees={addressees}
                currentAddressee={view.addressee.kind === 'service' ? `service:${view.addressee.id}` : `user:${view.addressee.id}`}
                reportPath={view.mayReport ? reportPath : null}
                mayConsult={mayConsult}
              />
              {(view.report || view.consultations.length > 0) && <hr />}
              {view.report && reportPath && (
                <p data-testid="report">
                  {signed ? 'The signed report: ' : 'Your report draft: '}
                  <Link href={reportPath}>Open the report</Link>
                  {signed && (
                    <>
                      {' · '}
                      <a href={`/api/reports/${encodeURIComponent(view.report.id)}/pdf`} download>
                        PDF
                      </a>
                    </>
                  )}
                </p>
              )}
              {view.consultations.length > 0 && (
                <>
                  <h3>Teleconsultations</h3>
                  <ul className={styles.attachments} aria-label="Teleconsultations">
                    {view.consultations.map((consultation) => (
                      <li key={consultation.id}>
                        {consultation.participant && !consultation.endedAt ? <Link href={`/consultations/${consultation.id}`}>{consultation.title || 'Teleconsultation'}</Link> : consultation.title || 'Teleconsultation'}{' '}
                        <small>
                          started <LocalTime iso={consultation.createdAt.toISOString()} />
                          {consultation.endedAt ? <> · ended <LocalTime iso={consultation.endedAt.toISOString()} /></> : ' · open'}
                        </small>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          </div>

          <div>
            <section className={styles.panel} aria-labelledby="thread-heading">
              <h2 id="thread-heading">Conversation</h2>
              <ul className={styles.thread} aria-label="Messages" data-testid="thread">
                {view.messages.map((message) => (
                  <li key={message.id} className={styles.message} data-kind={message.kind} data-mine={message.author.id === user.id}>
                    <header>
                      <strong>{message.author.id === user.id ? 'You' : message.author.name}</strong>
                      <LocalTime iso={message.createdAt.toISOString()} />
                      {message.kind !== 'NOTE' && (
                        <span className={styles.kind} data-kind={message.kind}>
                          {message.kind === 'QUESTION' ? 'QUESTION' : 'ANSWER'}
                        </span>
                      )}
                    </header>
                    <p>{message.body}</p>
                    <AttachmentLinks referralId={view.id} attachments={message.attachments} />
                  </li>
                ))}
                {view.messages.length === 0 && <li className={styles.hint}>No messages yet.</li>}
              </ul>
              {!['DRAFT', 'CLOSED', 'CANCELLED'].includes(view.status) && <CaseThread referralId={view.id} />}
            </section>

            <section className={styles.panel} aria-labelledby="timeline-heading">
              <h2 id="timeline-heading">Timeline</h2>
              <ol className={styles.timeline} data-testid="timeline">
                {view.events.map((event, index) => (
                  <li key={index}>
                    <strong>{EVENT_WORDS[event.action] ?? event.action}</strong> by {event.actor?.name || 'Telepacs'}
                    <small>
                      <LocalTime iso={event.at.toISOString()} />
                      {event.fromStatus ? ` · ${STATUS_WORDS[event.fromStatus as ReferralStatus] ?? event.fromStatus} → ${STATUS_WORDS[event.toStatus as ReferralStatus] ?? event.toStatus}` : ''}
                    </small>
                    {event.reason && <small>“{event.reason}”</small>}
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
