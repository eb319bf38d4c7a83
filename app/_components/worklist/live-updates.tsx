'use client';
// "3 new images for MÜLLER, HANS (CT Chest)": new images in the user's
// facilities, announced over socket.io (/realtime, authenticated by the
// session cookie). The list is not re-sorted under the user's eyes: the
// banner offers a refresh, and the announced study links to its page.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type InstancesStoredPayload, type RealtimeClientEvents, type RealtimeServerEvents, socketClientOptions } from '../../../lib/realtime/events';
import { displayName } from '../../../lib/display/dicom-display';
import styles from './worklist.module.css';

export function LiveUpdates() {
  const router = useRouter();
  const [arrivals, setArrivals] = useState<InstancesStoredPayload[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const socket: Socket<RealtimeServerEvents, RealtimeClientEvents> = io(REALTIME_NAMESPACE, socketClientOptions());
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on(REALTIME_EVENTS.INSTANCES_STORED, (payload) => {
      setArrivals((previous) => {
        const others = previous.filter((entry) => entry.studyInstanceUid !== payload.studyInstanceUid);
        const same = previous.find((entry) => entry.studyInstanceUid === payload.studyInstanceUid);
        return [{ ...payload, newInstances: payload.newInstances + (same?.newInstances ?? 0) }, ...others].slice(0, 5);
      });
    });
    return () => {
      socket.close();
    };
  }, []);
  return (
    <div className={styles.live} aria-live="polite" data-connected={connected}>
      {arrivals.length > 0 && (
        <div className="alert info" role="status">
          <ul className={styles.arrivals}>
            {arrivals.map((arrival) => (
              <li key={arrival.studyInstanceUid}>
                {arrival.newInstances} new image{arrival.newInstances === 1 ? '' : 's'} for{' '}
                <Link href={`/studies/${arrival.studyInstanceUid}`}>
                  {displayName(arrival.patientName)}
                  {arrival.studyDescription ? ` (${arrival.studyDescription})` : ''}
                </Link>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="button small"
            onClick={() => {
              setArrivals([]);
              router.refresh();
            }}
          >
            Refresh the list
          </button>
        </div>
      )}
    </div>
  );
}
