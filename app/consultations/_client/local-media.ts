// This participant's microphone and camera: asked for once on joining
// (video and audio, else audio only, else nothing — a reader without a
// headset can still follow and annotate), switched between devices, muted
// and turned off by disabling tracks (the connections stay up, and the
// others see the state in the presence list).

export interface MediaDevicesList {
  microphones: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
}

export interface LocalMediaState {
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
  hasMicrophone: boolean;
  hasCamera: boolean;
  /** Why there is no microphone/camera, in words */
  problem: string | null;
}

export async function openLocalMedia(preferred: { microphoneId?: string; cameraId?: string } = {}): Promise<LocalMediaState> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return { stream: null, audio: false, video: false, hasMicrophone: false, hasCamera: false, problem: 'This browser gives no access to a microphone or camera (an https address is needed).' };
  }
  const audio: MediaTrackConstraints | boolean = preferred.microphoneId ? { deviceId: { exact: preferred.microphoneId }, echoCancellation: true, noiseSuppression: true } : { echoCancellation: true, noiseSuppression: true };
  const video: MediaTrackConstraints | boolean = preferred.cameraId ? { deviceId: { exact: preferred.cameraId }, width: { ideal: 640 }, height: { ideal: 360 } } : { width: { ideal: 640 }, height: { ideal: 360 } };
  const attempts: MediaStreamConstraints[] = [{ audio, video }, { audio }, { video }];
  let lastError: unknown;
  for (const constraints of attempts) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      const hasMicrophone = stream.getAudioTracks().length > 0;
      const hasCamera = stream.getVideoTracks().length > 0;
      return {
        stream,
        audio: hasMicrophone,
        video: hasCamera,
        hasMicrophone,
        hasCamera,
        problem: hasMicrophone ? (hasCamera ? null : 'No camera: others hear you but do not see you.') : 'No microphone: others cannot hear you.',
      };
    } catch (error) {
      lastError = error;
    }
  }
  const name = lastError instanceof DOMException ? lastError.name : '';
  const problem =
    name === 'NotAllowedError'
      ? 'Microphone and camera were not allowed: you can follow and annotate, but not talk. Allow them in the browser and rejoin.'
      : 'No microphone or camera found: you can follow and annotate, but not talk.';
  return { stream: null, audio: false, video: false, hasMicrophone: false, hasCamera: false, problem };
}

export async function listMediaDevices(): Promise<MediaDevicesList> {
  if (!navigator.mediaDevices?.enumerateDevices) return { microphones: [], cameras: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    microphones: devices.filter((device) => device.kind === 'audioinput'),
    cameras: devices.filter((device) => device.kind === 'videoinput'),
  };
}

export function setTracksEnabled(stream: MediaStream | null, kind: 'audio' | 'video', enabled: boolean): void {
  for (const track of stream?.getTracks() ?? []) if (track.kind === kind) track.enabled = enabled;
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/**
 * Calls back with true while someone speaks on `stream` (the level of its
 * audio over a threshold, with a short hold so the indicator does not
 * flicker between words). Returns the function that stops listening.
 */
let audioContext: AudioContext | undefined;

/** One AudioContext for the page (browsers limit how many a page may open). */
function pageAudioContext(): AudioContext | undefined {
  if (typeof AudioContext !== 'function') return undefined;
  audioContext ??= new AudioContext();
  return audioContext;
}

/**
 * Browsers keep sound off until the person has touched the page (autoplay
 * policy): the others' voices and the speaking indicators wait for it.
 * True while that is the case.
 */
export function soundBlocked(): boolean {
  return pageAudioContext()?.state === 'suspended';
}

/** Starts sound after a click or key press: the shared AudioContext and every paused voice or video. */
export async function resumeSound(): Promise<void> {
  await pageAudioContext()?.resume().catch(() => undefined);
  for (const element of document.querySelectorAll<HTMLMediaElement>('video, audio')) {
    if (element.paused && element.srcObject) await element.play().catch(() => undefined);
  }
}

export function watchSpeaking(stream: MediaStream, onChange: (speaking: boolean) => void): () => void {
  const context = pageAudioContext();
  if (!stream.getAudioTracks().length || !context) return () => undefined;
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let speaking = false;
  let lastLoud = 0;
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += ((sample - 128) / 128) ** 2;
    const level = Math.sqrt(sum / samples.length);
    const now = performance.now();
    if (level > 0.04) lastLoud = now;
    const next = now - lastLoud < 400;
    if (next !== speaking) {
      speaking = next;
      onChange(speaking);
    }
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
  };
}
