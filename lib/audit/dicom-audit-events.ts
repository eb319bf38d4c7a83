// DICOM audit message event IDs (PS3.15 A.5.3, codes from the DCM code
// system, PS3.16 Annex D) for our audit actions, so that a reviewer or a
// SIEM reading the trail (or its CSV) sees the standard's vocabulary. A
// refused attempt keeps the event ID of what was attempted (PS3.15 A.5.3:
// the outcome, not the event, says it failed). Actions without a DICOM
// counterpart (administration, teleconsultation annotations) carry none.

export const DICOM_AUDIT_EVENTS = {
  '110101': 'Audit Log Used',
  '110103': 'DICOM Instances Accessed',
  '110104': 'DICOM Instances Transferred',
  '110105': 'DICOM Study Deleted',
  '110106': 'Export',
  '110110': 'Patient Record',
  '110112': 'Query',
  '110113': 'Security Alert',
  '110114': 'User Authentication',
} as const;

export type DicomAuditEventId = keyof typeof DICOM_AUDIT_EVENTS;

// Exact actions first; a family ("dimse.") after. Kept in one table so that
// a new action is classified here, once.
const BY_ACTION: Record<string, DicomAuditEventId> = {
  'auth.sign_in': '110114',
  'auth.sign_out': '110114',
  'auth.basic': '110114',
  'auth.second_factor': '110114',
  // A refused association is a node authentication failure (PS3.15 A.5.3.11, type 110126)
  'dimse.associate': '110113',
  'audit.view': '110101',
  'audit.export': '110101',
  'dicomweb.qido': '110112',
  'dicomweb.wado': '110103',
  'dicomweb.read': '110103',
  'dicomweb.stow': '110104',
  'dimse.c-find': '110112',
  'dimse.c-store': '110104',
  'dimse.c-move': '110104',
  'dimse.c-get': '110104',
  'portal.worklist': '110112',
  'portal.patient': '110110',
  'portal.study': '110103',
  'portal.study.download': '110106',
  'portal.study.delete': '110105',
  'portal.consultation': '110103',
  'consult.join': '110103',
  'consult.export': '110103',
};

export function dicomAuditEventFor(action: string): DicomAuditEventId | undefined {
  return BY_ACTION[action];
}

/** The event ID an AuditEvent row carries: the one recorded in its details, else the one of its action (rows written before the codes). */
export function dicomAuditEventOf(row: { action: string; details: string }): DicomAuditEventId | undefined {
  try {
    const recorded = (JSON.parse(row.details) as { eventId?: unknown } | null)?.eventId;
    if (typeof recorded === 'string' && recorded in DICOM_AUDIT_EVENTS) return recorded as DicomAuditEventId;
  } catch {
    // details that are not JSON: fall back to the action
  }
  return dicomAuditEventFor(row.action);
}

/** "110114 User Authentication", or '' */
export function describeDicomAuditEvent(id: DicomAuditEventId | undefined): string {
  return id ? `${id} ${DICOM_AUDIT_EVENTS[id]}` : '';
}
