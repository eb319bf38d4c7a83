// The words and limits of an emergency transfer notice (issue 17): what the sending
// form, the board, the alarm and the timeline show. No zod here: client pages import
// it, and zod in a browser bundle trips the portal's CSP (its eval probe); the schemas
// are in transfer-schemas.ts.

export const TRANSFER_CONDITIONS = {
  STROKE: 'Stroke',
  TRAUMA: 'Major trauma',
  STEMI: 'STEMI',
  OTHER: 'Other',
} as const;
export type TransferCondition = keyof typeof TRANSFER_CONDITIONS;
export const TRANSFER_CONDITION_CODES = Object.keys(TRANSFER_CONDITIONS) as TransferCondition[];

export const TRANSPORT_MODES = {
  GROUND: 'Ambulance',
  HELICOPTER: 'Helicopter',
  FIXED_WING: 'Plane',
  OTHER: 'Other',
} as const;
export type TransportMode = keyof typeof TRANSPORT_MODES;
export const TRANSPORT_MODE_CODES = Object.keys(TRANSPORT_MODES) as TransportMode[];

/** SENT (alarm running) → ACKNOWLEDGED → ACCEPTED → ARRIVED; CANCELLED by the sender. A redirect makes it SENT again, at the new service. */
export const TRANSFER_STATUSES = ['SENT', 'ACKNOWLEDGED', 'ACCEPTED', 'ARRIVED', 'CANCELLED'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export const OPEN_TRANSFER_STATUSES: readonly TransferStatus[] = ['SENT', 'ACKNOWLEDGED', 'ACCEPTED'];

export const TRANSFER_STATUS_WORDS: Record<TransferStatus, string> = {
  SENT: 'Not acknowledged',
  ACKNOWLEDGED: 'Acknowledged',
  ACCEPTED: 'Accepted',
  ARRIVED: 'Arrived',
  CANCELLED: 'Cancelled',
};

/** The timeline's words for each action (TransferEvent.action) */
export const TRANSFER_ACTION_WORDS: Record<string, string> = {
  send: 'Sent',
  seen: 'Seen',
  acknowledge: 'Acknowledged',
  accept: 'Accepted',
  redirect: 'Redirected',
  vitals: 'Vitals updated',
  eta: 'ETA changed',
  study: 'Study added',
  escalate: 'Alarm escalated',
  arrive: 'Patient arrived',
  cancel: 'Cancelled',
  identify: 'Patient identified',
  consult: 'Teleconsultation started',
  forward: 'Delivered to the receiving node',
  message: 'Message from the other node',
};

export const MAX_TRANSFER_TEXT = 2_000;
export const MAX_TRANSFER_MESSAGE = 4_000;
export const MAX_TRANSFER_STUDIES = 10;
/** An ETA further away than this is a typing mistake (a transfer takes hours, not days) */
export const MAX_ETA_HOURS = 24;

/**
 * The vitals: hard limits (outside: impossible, refused) and the physiological range
 * (outside: possible but unusual, sent only once the sender confirms the value).
 */
export const VITAL_SIGNS = {
  gcs: { label: 'GCS', unit: '', min: 3, max: 15, plausibleMin: 3, plausibleMax: 15, integer: true },
  systolic: { label: 'Systolic BP', unit: 'mmHg', min: 0, max: 350, plausibleMin: 50, plausibleMax: 250, integer: true },
  diastolic: { label: 'Diastolic BP', unit: 'mmHg', min: 0, max: 250, plausibleMin: 20, plausibleMax: 150, integer: true },
  heartRate: { label: 'Heart rate', unit: '/min', min: 0, max: 350, plausibleMin: 30, plausibleMax: 220, integer: true },
  spo2: { label: 'SpO2', unit: '%', min: 0, max: 100, plausibleMin: 70, plausibleMax: 100, integer: true },
  temperature: { label: 'Temperature', unit: '°C', min: 15, max: 46, plausibleMin: 32, plausibleMax: 42, integer: false },
} as const;
export type VitalSign = keyof typeof VITAL_SIGNS;
export const VITAL_SIGN_KEYS = Object.keys(VITAL_SIGNS) as VitalSign[];

export type Vitals = Partial<Record<VitalSign, number>> & { takenAt?: string };

/** "GCS 9 · BP 182/95 mmHg · HR 104/min · SpO2 93% · 37.2 °C" (only the values taken) */
export function vitalsWords(vitals: Vitals): string {
  const parts: string[] = [];
  if (vitals.gcs !== undefined) parts.push(`GCS ${vitals.gcs}`);
  if (vitals.systolic !== undefined || vitals.diastolic !== undefined) parts.push(`BP ${vitals.systolic ?? '–'}/${vitals.diastolic ?? '–'} mmHg`);
  if (vitals.heartRate !== undefined) parts.push(`HR ${vitals.heartRate}/min`);
  if (vitals.spo2 !== undefined) parts.push(`SpO2 ${vitals.spo2}%`);
  if (vitals.temperature !== undefined) parts.push(`${vitals.temperature} °C`);
  return parts.join(' · ');
}

/** The values outside the physiological range, with a question for each (empty: nothing unusual) */
export function unusualVitals(vitals: Vitals): Partial<Record<VitalSign, string>> {
  const unusual: Partial<Record<VitalSign, string>> = {};
  for (const key of VITAL_SIGN_KEYS) {
    const value = vitals[key];
    if (value === undefined) continue;
    const sign = VITAL_SIGNS[key];
    if (value < sign.plausibleMin || value > sign.plausibleMax) unusual[key] = `${sign.label} ${value}${sign.unit ? ` ${sign.unit}` : ''} is outside ${sign.plausibleMin}–${sign.plausibleMax}: is it right?`;
  }
  return unusual;
}

export function conditionWords(code: string): string {
  return Object.hasOwn(TRANSFER_CONDITIONS, code) ? TRANSFER_CONDITIONS[code as TransferCondition] : code;
}

export function transportWords(code: string): string {
  return Object.hasOwn(TRANSPORT_MODES, code) ? TRANSPORT_MODES[code as TransportMode] : code;
}

/** The override reason of a notice's vital-interest basis (lib/emergency-override): not offered in the break-glass dialog */
export const TRANSFER_OVERRIDE_REASON = 'TRANSFER_NOTICE';

/** "EM-20261207-K7Q2": the temporary Patient ID of an unidentified patient's notice (send-transfer.ts temporaryPatientId) */
export const TEMPORARY_PATIENT_ID = /^EM-\d{8}-[A-Z2-9]{4}$/;

export function isTemporaryPatientId(patientId: string): boolean {
  return TEMPORARY_PATIENT_ID.test(patientId);
}
