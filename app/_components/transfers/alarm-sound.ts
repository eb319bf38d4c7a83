'use client';
// The alarm's sound: a WebAudio beep (no sound file) every ~2 s while a notice rings.
// Browsers start an AudioContext "suspended" until the person has used the page (a
// click, a key): the context is made at once, and resumed on the first gesture anywhere;
// until then the banner says "Click to enable alarm sound". The state is shared by every
// caller on the page (one context per tab).

import { playBeeps } from '../sound/beeps';

type SoundState = 'running' | 'suspended' | 'unsupported';

let context: AudioContext | null = null;
const listeners = new Set<(state: SoundState) => void>();

function current(): SoundState {
  if (!context) return typeof AudioContext === 'undefined' ? 'unsupported' : 'suspended';
  return context.state === 'running' ? 'running' : 'suspended';
}

function announce(): void {
  const state = current();
  for (const listener of listeners) listener(state);
}

/** Makes (or resumes) the page's AudioContext; from a gesture this unlocks the sound. */
export function unlockAlarmSound(): void {
  try {
    if (!context) {
      context = new AudioContext();
      context.addEventListener('statechange', announce);
    }
    if (context.state !== 'running') void context.resume().then(announce, announce);
    announce();
  } catch {
    // No WebAudio: the banner, the title and the notification remain
  }
}

export function onAlarmSoundState(listener: (state: SoundState) => void): () => void {
  listeners.add(listener);
  listener(current());
  return () => listeners.delete(listener);
}

/** Three short high beeps (an alarm, not the stat-case chime) */
export function alarmBeep(): void {
  if (!context || context.state !== 'running') return;
  playBeeps(context, { offsets: [0, 0.22, 0.44], type: 'square', frequency: 988, peak: 0.2, length: 0.18 });
}
