'use client';
// "Alert me for stat cases": a choice kept in this browser (localStorage), and
// the alert itself: a short beep (WebAudio, no sound file) and, when the tab
// is hidden and the browser allows it, a notification that names no patient.
// The header raises it when its stat count grows (a new stat case reached the
// user's inbox), on whichever page is open.

import { playBeeps } from '../sound/beeps';

const STORAGE_KEY = 'telepacs.statAlert';
export const STAT_ALERT_CHANGED = 'telepacs:stat-alert-changed';

export function statAlertEnabled(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

export function setStatAlertEnabled(enabled: boolean): void {
  try {
    if (enabled) window.localStorage.setItem(STORAGE_KEY, 'on');
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // A browser that keeps nothing (private mode with storage off): the choice lasts for this page only
  }
  window.dispatchEvent(new Event(STAT_ALERT_CHANGED));
}

let audio: AudioContext | null = null;

/** Two short beeps. Browsers allow sound once the person has used the page (the toggle's click unlocks it). */
export function beep(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined);
    playBeeps(audio, { offsets: [0, 0.25], type: 'sine', frequency: 880, peak: 0.25, length: 0.2 });
  } catch {
    // No WebAudio: the notification and the red count remain
  }
}

/** Asks for the permission to notify, when not decided yet (from a click: browsers require it). */
export async function askNotificationPermission(): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  await Notification.requestPermission().catch(() => undefined);
}

/** The alert for a new stat case: the beep, and a notification when the tab is hidden. */
export function raiseStatAlert(): void {
  if (!statAlertEnabled()) return;
  const root = document.documentElement;
  root.dataset.statAlerts = String(Number(root.dataset.statAlerts ?? '0') + 1);
  beep();
  if (document.visibilityState !== 'hidden' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const notification = new Notification('New stat second-opinion case', { body: 'Open Telepacs to see your inbox.', tag: 'telepacs-stat-referral' });
    notification.onclick = () => {
      window.focus();
      window.location.assign('/referrals');
    };
  } catch {
    // Some browsers (Android Chrome) only notify from a service worker: the beep remains
  }
}
