'use client';
// The emergency transfer alarm on every portal page of someone who receives notices
// (issue 17): mounted by the header. On load it asks GET /api/transfers?box=alarms (the
// notices ringing now: a page opened after the alarm still rings); transfer:alarm adds a
// notice at once; transfer:changed with a status other than SENT (acknowledged, accepted,
// arrived, cancelled, by anyone, on any page) stops it, and a redirect away from the
// reader's services is reconciled by asking the list again.
// While one rings: a red banner at the top (Acknowledge / Open), a beep every 2 s, the
// tab's title flashing, and a browser notification when the tab is in the background.
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TransferAlarmPayload, TransferChangedPayload } from '../../../lib/realtime/events';
import { conditionWords } from '../../../lib/transfers/transfer-words';
import { callApi } from '../../admin/_components/api-call';
import { useTransferAlarm, useTransferChanged } from '../referrals/referral-events-bridge';
import { alarmBeep, onAlarmSoundState, unlockAlarmSound } from './alarm-sound';

interface Ringing {
  noticeId: string;
  serviceId: string;
  serviceName: string;
  condition: string;
  etaAt: string;
  escalated: boolean;
}

interface AlarmRow {
  id: string;
  condition: string;
  to: { serviceId: string; name: string };
  etaAt: string;
  escalatedAt: string | null;
}

const BEEP_EVERY_MS = 2_000;
const TITLE_EVERY_MS = 1_000;
const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

function alarmLine(alarm: Ringing): string {
  return `${conditionWords(alarm.condition).toUpperCase()} — ${alarm.serviceName} — ETA ${CLOCK.format(new Date(alarm.etaAt))}`;
}

export function TransferAlarm() {
  const [ringing, setRinging] = useState<Ringing[]>([]);
  const [sound, setSound] = useState<'running' | 'suspended' | 'unsupported'>('suspended');
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState('');
  const asked = useRef(0);

  const load = useCallback(async () => {
    const mine = ++asked.current;
    const result = await callApi<{ rows: AlarmRow[] }>('GET', '/api/transfers?box=alarms');
    if (!result.ok || mine !== asked.current) return;
    document.documentElement.setAttribute('data-transfer-alarms-loaded', String(mine));
    setRinging(result.data.rows.map((row) => ({ noticeId: row.id, serviceId: row.to.serviceId, serviceName: row.to.name, condition: row.condition, etaAt: row.etaAt, escalated: row.escalatedAt !== null })));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  useTransferAlarm(
    useCallback((payload: TransferAlarmPayload) => {
      // A newer answer of the list must not drop this alarm: any list asked before it is ignored
      asked.current++;
      const alarm: Ringing = { noticeId: payload.noticeId, serviceId: payload.serviceId, serviceName: payload.serviceName, condition: payload.condition, etaAt: payload.etaAt, escalated: payload.escalated };
      setRinging((now) => [...now.filter((entry) => entry.noticeId !== payload.noticeId), alarm]);
      if (typeof document !== 'undefined' && document.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        try {
          // No patient data in a notification (it shows on a locked screen)
          const notification = new Notification(`${payload.escalated ? 'Escalated: ' : ''}Emergency transfer — ${conditionWords(payload.condition)}`, { body: `${payload.serviceName}, ETA ${CLOCK.format(new Date(payload.etaAt))}`, tag: `telepacs-transfer-${payload.noticeId}`, requireInteraction: true });
          notification.onclick = () => {
            window.focus();
            window.location.assign(`/transfers/${payload.noticeId}`);
          };
        } catch {
          // Some browsers notify only from a service worker: banner, sound and title remain
        }
      }
    }, []),
  );
  useTransferChanged(
    useCallback(
      (payload: TransferChangedPayload) => {
        if (payload.noticeId && payload.status !== 'SENT') {
          asked.current++;
          setRinging((now) => now.filter((entry) => entry.noticeId !== payload.noticeId));
          return;
        }
        // A redirect (SENT again, maybe elsewhere) or a reconnection: the list decides
        void load();
      },
      [load],
    ),
  );

  // The first click or key anywhere unlocks the sound and asks (once) to notify
  useEffect(() => {
    const unsubscribe = onAlarmSoundState(setSound);
    const onGesture = () => {
      unlockAlarmSound();
      if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    };
    window.addEventListener('pointerdown', onGesture, true);
    window.addEventListener('keydown', onGesture, true);
    return () => {
      unsubscribe();
      window.removeEventListener('pointerdown', onGesture, true);
      window.removeEventListener('keydown', onGesture, true);
    };
  }, []);

  const active = ringing.length > 0;
  // How many ring, on the page's root (for tests and styles: the list asked at least once)
  useEffect(() => {
    document.documentElement.setAttribute('data-transfer-alarms', String(ringing.length));
  }, [ringing.length]);
  useEffect(() => {
    if (!active) return;
    // Made now: with an autoplay policy that allows it, the sound starts without a click
    unlockAlarmSound();
    alarmBeep();
    const beeping = setInterval(alarmBeep, BEEP_EVERY_MS);
    return () => clearInterval(beeping);
  }, [active]);

  const first = ringing[0];
  const flashText = first ? `🚨 Transfer: ${conditionWords(first.condition)}${ringing.length > 1 ? ` (+${ringing.length - 1})` : ''}` : '';
  useEffect(() => {
    if (!flashText) return;
    const pageTitle = document.title;
    let flashed = false;
    const flashing = setInterval(() => {
      flashed = !flashed;
      document.title = flashed ? flashText : pageTitle;
    }, TITLE_EVERY_MS);
    return () => {
      clearInterval(flashing);
      document.title = pageTitle;
    };
  }, [flashText]);

  const acknowledge = async (noticeId: string) => {
    setBusy(noticeId);
    setProblem('');
    const result = await callApi('POST', `/api/transfers/${encodeURIComponent(noticeId)}/actions`, { action: 'acknowledge' });
    setBusy(null);
    if (result.ok || result.status === 409 || result.status === 404) {
      // 409: a colleague was first (the alarm stops all the same); 404: no longer ours
      if (!result.ok && result.status === 409) setProblem(result.data.message ?? '');
      setRinging((now) => now.filter((entry) => entry.noticeId !== noticeId));
      void load();
    } else {
      setProblem(result.data.message ?? `The server answered ${result.status}.`);
    }
  };

  if (!active && !problem) return null;
  const soundState = sound === 'running' ? 'playing' : 'blocked';
  return (
    <div className="transfer-alarm" role="alert" data-testid="transfer-alarm" data-sound={active ? soundState : 'off'} data-count={ringing.length}>
      {ringing.map((alarm) => (
        <div key={alarm.noticeId} className="transfer-alarm-row" data-testid="transfer-alarm-row" data-notice={alarm.noticeId}>
          <span className="transfer-alarm-text">
            <span className="transfer-alarm-light" aria-hidden="true" />
            {alarm.escalated && <strong className="transfer-alarm-escalated">Escalated · </strong>}
            <strong>{alarmLine(alarm)}</strong>
          </span>
          <span className="transfer-alarm-actions">
            <button type="button" className="button small" disabled={busy === alarm.noticeId} onClick={() => void acknowledge(alarm.noticeId)}>
              {busy === alarm.noticeId ? 'Acknowledging…' : 'Acknowledge'}
            </button>
            <Link className="button secondary small" href={`/transfers/${alarm.noticeId}`}>
              Open
            </Link>
          </span>
        </div>
      ))}
      {active && sound === 'suspended' && (
        <button type="button" className="transfer-alarm-hint" onClick={unlockAlarmSound}>
          Click to enable alarm sound
        </button>
      )}
      {problem && (
        <p className="transfer-alarm-problem">
          {problem}{' '}
          <button type="button" className="button secondary small" onClick={() => setProblem('')}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
