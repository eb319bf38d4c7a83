// The audit export as CSV (RFC 4180: CRLF line ends, fields with a comma,
// quote or line break quoted, quotes doubled), safe to open in a spreadsheet.
import { dicomAuditEventOf } from './actions';
import { aeTitleOf } from './audit-query';
import type { AuditEventView } from './audit-view';

/**
 * OWASP "CSV injection": a cell starting with = + - @ (or a tab / carriage
 * return, which some spreadsheets skip before reading one of those) is run
 * as a formula. An actor, a resource path or a details text is partly chosen
 * by whoever made the request, so such cells get a leading apostrophe, which
 * spreadsheets show as text.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const AUDIT_CSV_HEADER = [
  'time_utc',
  'actor',
  'actor_user_id',
  'action',
  'outcome',
  'facility',
  'patient_id',
  'study_uid',
  'source_ip',
  'ae_title',
  'resource',
  'details',
  // PS3.15 A.5.3 EventID (DCM code), e.g. 110114 User Authentication; last, so earlier columns keep their places
  'dicom_event_id',
  // What a person reads (issue 13): the action in words, the account's name, the source address readable
  'action_label',
  'actor_name',
  'source',
];

export function auditCsvLine(event: AuditEventView, facilityCodeById: ReadonlyMap<string, string>): string {
  return csvLine([
    event.at.toISOString(),
    event.actor,
    event.actorUserId,
    event.action,
    event.outcome,
    event.facilityId ? (facilityCodeById.get(event.facilityId) ?? event.facilityId) : '',
    event.patientId,
    event.studyUid,
    event.sourceIp,
    aeTitleOf(event.actor),
    event.resource,
    event.details,
    dicomAuditEventOf(event) ?? '',
    event.actionLabel,
    event.actorName,
    event.source,
  ]);
}
