// Short beeps made with WebAudio (no sound file): the stat-case chime
// (referrals/stat-alert.ts) and the emergency transfer alarm
// (transfers/alarm-sound.ts) are two patterns of the same tone.

export interface BeepPattern {
  /** Seconds from now of each beep */
  offsets: readonly number[];
  type: OscillatorType;
  /** Hz */
  frequency: number;
  /** The loudest gain (0–1) */
  peak: number;
  /** Seconds each beep sounds */
  length: number;
}

/** Plays the pattern on this AudioContext (which must be running to be heard). */
export function playBeeps(audio: AudioContext, pattern: BeepPattern): void {
  const start = audio.currentTime + 0.02;
  for (const offset of pattern.offsets) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = pattern.type;
    oscillator.frequency.value = pattern.frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(pattern.peak, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + pattern.length - 0.02);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + pattern.length);
  }
}
