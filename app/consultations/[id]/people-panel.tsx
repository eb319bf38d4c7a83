'use client';
// Who is in the session: a tile per participant with their video, the
// speaking indicator, microphone/camera state, role, and how this tab is
// connected to each of their tabs (direct WebRTC with its round trip, or
// relayed through the server). My own controls: mute, camera, devices.
import { useEffect, useRef, useState } from 'react';
import type { ConsultParticipantPresence } from '../../../lib/realtime/events';
import type { ConsultSession, SessionSnapshot } from '../_client/consult-session';
import { listMediaDevices, type MediaDevicesList } from '../_client/local-media';
import type { LinkInfo } from '../_client/peer-mesh';
import styles from './consultation.module.css';

const ROLE_LABELS: Record<string, string> = { HOST: 'host', PARTICIPANT: 'invited', GUEST: 'guest' };

export function PeoplePanel({ session, snapshot }: { session: ConsultSession; snapshot: SessionSnapshot }) {
  const [devices, setDevices] = useState<MediaDevicesList>({ microphones: [], cameras: [] });
  const [showDevices, setShowDevices] = useState(false);
  const media = snapshot.media;
  useEffect(() => {
    if (showDevices) void listMediaDevices().then(setDevices);
  }, [showDevices, media.stream]);
  const currentDevice = (kind: 'audio' | 'video') => media.stream?.getTracks().find((track) => track.kind === kind)?.getSettings().deviceId ?? '';
  const ordered = [...snapshot.participants].sort((a, b) => Number(b.online) - Number(a.online));

  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">People</h2>
      <div className={styles.mediaControls}>
        <button type="button" className={styles.darkButton} aria-pressed={!media.audio} disabled={!media.hasMicrophone} onClick={() => session.setMicrophone(!media.audio)}>
          {media.audio ? 'Mute' : 'Unmute'}
        </button>
        <button type="button" className={styles.darkButton} aria-pressed={!media.video} disabled={!media.hasCamera} onClick={() => session.setCamera(!media.video)}>
          {media.video ? 'Camera off' : 'Camera on'}
        </button>
        <button type="button" className={styles.darkButton} aria-expanded={showDevices} onClick={() => setShowDevices(!showDevices)}>
          Devices
        </button>
      </div>
      {media.problem && <p className={styles.muted}>{media.problem}</p>}
      {showDevices && (
        <div className={styles.devices}>
          <DeviceSelect
            label="Microphone"
            devices={devices.microphones}
            value={currentDevice('audio')}
            onChange={(microphoneId) => void session.switchDevices({ microphoneId, cameraId: currentDevice('video') || undefined })}
          />
          <DeviceSelect
            label="Camera"
            devices={devices.cameras}
            value={currentDevice('video')}
            onChange={(cameraId) => void session.switchDevices({ cameraId, microphoneId: currentDevice('audio') || undefined })}
          />
        </div>
      )}
      <ul className={styles.people}>
        {ordered.map((participant) => (
          <Person key={participant.userId} participant={participant} snapshot={snapshot} />
        ))}
      </ul>
    </section>
  );
}

function Person({ participant, snapshot }: { participant: ConsultParticipantPresence; snapshot: SessionSnapshot }) {
  const isMe = participant.userId === snapshot.userId;
  const peer = participant.peers[0];
  const stream = isMe ? snapshot.media.stream : participant.peers.map((entry) => snapshot.remoteStreams[entry.peerId]).find(Boolean) ?? null;
  const speaking = isMe ? snapshot.speaking.me : participant.peers.some((entry) => snapshot.speaking[entry.peerId]);
  const audio = isMe ? snapshot.media.audio : Boolean(peer?.audio);
  const video = isMe ? snapshot.media.video : Boolean(peer?.video);
  const links = participant.peers.map((entry) => snapshot.links.find((link) => link.peerId === entry.peerId)).filter((link): link is LinkInfo => Boolean(link));
  return (
    <li
      className={`${styles.person} ${participant.online ? '' : styles.offline}`}
      style={{ borderColor: speaking ? undefined : participant.color }}
      data-speaking={Boolean(speaking)}
      data-user={participant.userId}
      data-color={participant.color}
      data-testid="person"
    >
      {participant.online && stream && video && <StreamVideo stream={stream} muted={isMe} />}
      {participant.online && !isMe && !stream && links.length > 0 && links.every((link) => link.state === 'relay') && (
        <p className={styles.noMedia}>No voice or video: no direct connection to this participant.</p>
      )}
      {participant.online && stream && !video && !isMe && <StreamAudio stream={stream} />}
      <div className={styles.personLine}>
        <span className={styles.dot} style={{ background: participant.color }} aria-hidden="true" />
        <strong>
          {participant.name}
          {isMe ? ' (you)' : ''}
        </strong>
        {participant.userId === snapshot.presenterUserId && <span className="badge">presenting</span>}
      </div>
      <div className={styles.personMeta}>
        <span>{ROLE_LABELS[participant.role] ?? participant.role}</span>
        <span>{participant.online ? 'here' : 'not here'}</span>
        {participant.online && <span>{audio ? 'mic on' : 'muted'}</span>}
        {participant.online && <span>{video ? 'camera on' : 'camera off'}</span>}
        {speaking && <span>speaking</span>}
        {!isMe &&
          links.map((link) => (
            <span key={link.peerId} className={styles.link} data-link={link.state} data-testid="link" title={link.reason}>
              {link.state === 'direct'
                ? `direct${link.rttMs !== undefined ? ` · ${link.rttMs} ms` : ''}${link.route === 'relay' ? ' · via TURN' : ''}`
                : link.state === 'relay'
                  ? 'relayed via server'
                  : 'connecting…'}
            </span>
          ))}
      </div>
    </li>
  );
}

function DeviceSelect({ label, devices, value, onChange }: { label: string; devices: MediaDeviceInfo[]; value: string; onChange: (deviceId: string) => void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {devices.length === 0 && <option value="">None found</option>}
        {devices.map((device, index) => (
          <option key={device.deviceId || index} value={device.deviceId}>
            {device.label || `${label} ${index + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}

function StreamVideo({ stream, muted }: { stream: MediaStream; muted: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} />;
}

/** A participant with the camera off is still heard. */
function StreamAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay />;
}
