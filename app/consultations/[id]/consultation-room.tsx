'use client';
// A live teleconsultation in the browser: the session bar (who presents,
// follow / break away, ask for or hand over the presenter role, end, export),
// the collaborative viewer, and the people (video, voice, how each is
// connected) with the session's annotations.
import dynamic from 'next/dynamic';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { callApi } from '../../admin/_components/api-call';
import { formatDateTime } from '../../admin/_components/format';
import { ConsultSession, type SessionSnapshot } from '../_client/consult-session';
import { AnnotationList } from './annotation-list';
import type { SeriesSummary } from './collab-viewer';
import { GuestLinkPanel } from './guest-link-panel';
import { PeoplePanel } from './people-panel';
import styles from './consultation.module.css';

const CollabViewer = dynamic(() => import('./collab-viewer'), {
  ssr: false,
  loading: () => <p className={styles.muted}>Loading the viewer…</p>,
});

export interface RoomProps {
  consultationId: string;
  title: string;
  patientLine: string;
  studyInstanceUid: string;
  series: SeriesSummary[];
  me: { userId: string; role: string };
  /** Only the host ends a session: their name says who ended it */
  hostName: string;
  /** When it ended (ISO), if it had already ended when the page was loaded */
  endedAt: string | null;
}

const STATUS_TEXT: Record<SessionSnapshot['status'], string> = {
  connecting: 'Connecting…',
  joined: 'Connected',
  reconnecting: 'Reconnecting…',
  not_found: 'Not found',
  ended: 'Ended',
  error: 'Unavailable',
};

const noSubscription = () => () => undefined;

export function ConsultationRoom(props: RoomProps) {
  const [session, setSession] = useState<ConsultSession | null>(null);
  useEffect(() => {
    const created = new ConsultSession(props.consultationId, props.me.userId);
    setSession(created);
    void created.start();
    (window as unknown as { __telepacsConsult?: unknown }).__telepacsConsult = {
      snapshot: () => created.getSnapshot(),
      latencies: created.latencies,
    };
    return () => created.close();
  }, [props.consultationId, props.me.userId]);
  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscription, () => session?.getSnapshot() ?? null, () => null);

  if (!session || !snapshot) {
    return (
      <div className={styles.room}>
        <div className={styles.bar}>
          <h1>{props.title}</h1>
          <span className={styles.status} data-state="connecting">
            Connecting…
          </span>
        </div>
      </div>
    );
  }
  return <Room {...props} session={session} snapshot={snapshot} />;
}

function Room({ consultationId, title, patientLine, studyInstanceUid, series, me, hostName, endedAt, session, snapshot }: RoomProps & { session: ConsultSession; snapshot: SessionSnapshot }) {
  const isHost = me.role === 'HOST';
  const isGuest = me.role === 'GUEST';
  const presenter = snapshot.participants.find((participant) => participant.userId === snapshot.presenterUserId);
  const myColor = snapshot.participants.find((participant) => participant.userId === me.userId)?.color ?? '#facc15';
  const iPresent = snapshot.presenterUserId === me.userId;
  const others = snapshot.participants.filter((participant) => participant.userId !== me.userId && participant.online);
  const [exportResult, setExportResult] = useState<string | null>(null);
  // Sound starts with the first click or key press on the page (the browser's autoplay rule);
  // every gesture tries again, it costs nothing once sound runs
  useEffect(() => {
    const enable = () => void session.enableSound();
    window.addEventListener('pointerdown', enable);
    window.addEventListener('keydown', enable);
    return () => {
      window.removeEventListener('pointerdown', enable);
      window.removeEventListener('keydown', enable);
    };
  }, [session]);
  const relayed = snapshot.links.filter((link) => link.state === 'relay');
  const finished = snapshot.status === 'ended' || snapshot.status === 'not_found';
  const ended = snapshot.endedAt ?? endedAt;

  return (
    <div className={styles.room} data-status={snapshot.status}>
      <div className={styles.top}>
        <div className={styles.bar}>
          <div>
            <h1>{title || 'Teleconsultation'}</h1>
            <div className={styles.patient}>{patientLine}</div>
          </div>
          <span className={styles.status} data-state={snapshot.status} role="status" data-testid="session-status">
            {STATUS_TEXT[snapshot.status]}
          </span>
          {/* After the end nobody presents: no presenter line, no hand-over (only the ended state below) */}
          {!finished && (
            <>
              <span className={styles.presenter} data-testid="presenter">
                {presenter ? (
                  <>
                    <span className={styles.dot} style={{ background: presenter.color }} aria-hidden="true" />
                    {iPresent ? 'You are presenting' : `${presenter.name} is presenting`}
                  </>
                ) : (
                  'Nobody is presenting'
                )}
              </span>
              {presenter && !iPresent && (
                <button
                  type="button"
                  className={styles.darkButton}
                  aria-pressed={snapshot.following}
                  onClick={() => session.setFollowing(!snapshot.following)}
                  title={snapshot.following ? 'Your view mirrors the presenter; click to look around on your own' : 'Mirror the presenter again'}
                >
                  {snapshot.following ? 'Following' : 'Follow presenter'}
                </button>
              )}
              {!iPresent && snapshot.status === 'joined' && (
                isHost ? (
                  <button type="button" className={styles.darkButton} onClick={() => void session.handOver(me.userId)}>
                    {presenter ? 'Take over presenting' : 'Present'}
                  </button>
                ) : (
                  <button type="button" className={styles.darkButton} onClick={() => session.requestPresenter()}>
                    Ask to present
                  </button>
                )
              )}
              {iPresent && others.length > 0 && (
                <select
                  className={styles.darkButton}
                  aria-label="Hand over presenting"
                  value=""
                  onChange={(event) => {
                    if (event.target.value) void session.handOver(event.target.value);
                  }}
                >
                  <option value="">Hand over to…</option>
                  {others.map((participant) => (
                    <option key={participant.userId} value={participant.userId}>
                      {participant.name}
                    </option>
                  ))}
                </select>
              )}
            </>
          )}
          <span className={styles.spacer} />
          {!isGuest && (
            <button
              type="button"
              className={styles.darkButton}
              disabled={snapshot.annotations.length === 0}
              title="Write the annotations into the archive as a DICOM Structured Report"
              onClick={async () => {
                setExportResult('Saving…');
                const answer = await callApi<{ annotationCount: number }>('POST', `/api/consultations/${consultationId}/export-sr`, {});
                const count = answer.data.annotationCount;
                const annotations = `${count} annotation${count === 1 ? '' : 's'}`;
                setExportResult(
                  answer.status === 202
                    ? `Queued for the archive as a structured report (${annotations}): it is stored in the background.`
                    : answer.ok
                      ? `Saved to the archive as a structured report (${annotations}).`
                      : `Not saved: ${answer.data.message ?? `the server answered ${answer.status}`}`,
                );
              }}
            >
              Save annotations as DICOM SR
            </button>
          )}
          {isHost && !finished && (
            <button
              type="button"
              className={`${styles.darkButton} ${styles.danger}`}
              onClick={() => {
                if (window.confirm('End the teleconsultation for everyone?')) void session.endSession();
              }}
            >
              End session
            </button>
          )}
        </div>
        {snapshot.presenterRequests.length > 0 && iPresent && (
          <div className={styles.notice}>
            {snapshot.presenterRequests.map((request) => (
              <span key={request.userId} className={styles.request}>
                {request.name} asks to present
                <button type="button" className={styles.darkButton} onClick={() => void session.handOver(request.userId)}>
                  Hand over
                </button>
                <button type="button" className={styles.darkButton} onClick={() => session.dismissRequest(request.userId)}>
                  Not now
                </button>
              </span>
            ))}
          </div>
        )}
        {relayed.length > 0 && snapshot.status === 'joined' && (
          <div className={styles.notice} role="status" data-testid="relay-notice">
            Connected to {relayed.length === 1 ? 'one participant' : `${relayed.length} participants`} through the server ({relayed[0].reason}). The images and annotations stay in sync, with a little more delay; voice and video need a direct connection.
          </div>
        )}
        {snapshot.soundBlocked && snapshot.status === 'joined' && (
        <div className={styles.notice} role="status">
          The browser holds the others&apos; voices until you click.
          <button type="button" className={styles.darkButton} onClick={() => void session.enableSound()}>
            Turn on sound
          </button>
        </div>
      )}
      {(snapshot.message || exportResult) && (
          <div className={`${styles.notice} ${finished || snapshot.status === 'error' ? styles.noticeError : ''}`} role="alert">
            {snapshot.message ?? exportResult}
          </div>
        )}
      </div>
      {finished ? (
        <p className={styles.muted} style={{ gridColumn: '1 / -1', padding: '2rem' }}>
          {snapshot.status === 'ended' ? (
            <span data-testid="ended">
              This teleconsultation has ended{ended ? `: ${hostName} ended it on ${formatDateTime(ended)}` : ''}. Its annotations are kept with the study.
            </span>
          ) : (
            'Teleconsultation not found.'
          )}
        </p>
      ) : (
        <>
          <CollabViewer session={session} studyInstanceUid={studyInstanceUid} series={series} myColor={myColor} lasers={snapshot.lasers} />
          <aside className={styles.side} aria-label="Participants and annotations">
            <PeoplePanel session={session} snapshot={snapshot} />
            <AnnotationList session={session} snapshot={snapshot} canDeleteAny={isHost} />
            {isHost && <GuestLinkPanel consultationId={consultationId} />}
          </aside>
        </>
      )}
    </div>
  );
}
