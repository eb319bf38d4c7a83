// What a caller may see and where its writes go. Decided by the portal's policy
// module (lib/policy) and handed to pacs-core, which only applies it: pacs-core
// never decides who may see what.

/**
 * One facility's copy of a study. Each facility holds its own copy of a study
 * it stored (docs/architecture.md, "A study is held per facility"), so a UID
 * alone does not name what may be read: a grant names the copy.
 */
export interface StudyGrant {
  facilityId: string;
  studyInstanceUid: string;
}

/**
 * What a caller may read: every study of some facilities, plus single studies
 * granted one by one (an open teleconsultation lets its participants read its
 * study, whatever their facility). A grant covers that facility's copy of the
 * study only: never another facility's copy of the same UID, never the
 * patient's other studies, never a patient-level or facility-level decision.
 *
 * When the scope holds several copies of one UID (a member of two facilities,
 * the 'all' scope, a grant on a UID the caller's facility holds too), the
 * caller sees one: the oldest (createdAt, then id) of those it may see
 * (pacs-core/index/search-support.ts, scopeCondition).
 */
export type AccessScope =
  | { kind: 'all' }
  | {
      kind: 'facilities';
      facilityIds: readonly string[];
      /** Study copies readable one by one, outside facilityIds; absent or empty = none */
      studyGrants?: readonly StudyGrant[];
    };

/**
 * The audit actions the archive emits through Principal.audit and the DIMSE
 * audit callback. The portal's typed map (lib/audit/actions.ts) must list
 * each of them: a new one here fails to compile there until it has its words.
 */
export type ArchiveAuditAction =
  | 'dicomweb.qido'
  | 'dicomweb.wado'
  | 'dicomweb.read'
  | 'dicomweb.stow'
  | 'dimse.associate'
  | 'dimse.c-find'
  | 'dimse.c-store'
  | 'dimse.c-move'
  | 'dimse.c-get';

export interface AccessEvent {
  action: ArchiveAuditAction;
  outcome: 'SUCCESS' | 'FAILURE' | 'DENIED';
  studyUid?: string;
  patientId?: string;
  facilityId?: string;
  resource?: string; // the request path or a description
  details?: Record<string, unknown>;
}

/** An authenticated caller of the archive's services. */
export interface Principal {
  /** For logs and audit: an email, 'AE:CT1', 'token:<name>' */
  label: string;
  userId?: string;
  readScope: AccessScope;
  /** Facility that receives what this caller stores; null = may not store. */
  storeFacilityId: string | null;
  sourceIp: string;
  /** Records an access to patient data (the portal writes an AuditEvent). */
  audit(event: AccessEvent): Promise<void>;
}

/**
 * Credentials refused because too many attempts failed: the caller is told
 * when to try again (401 with Retry-After), so an integration can back off
 * instead of hammering. Decided by the portal (lib/auth), applied here.
 */
export interface AuthenticationThrottled {
  throttled: true;
  retryAfterSeconds: number;
}

/**
 * Whether the scope lets the caller read something of this facility. With a
 * studyInstanceUid the question is about that facility's copy of the study,
 * and a per-study grant on that copy counts; without one (a patient, a facility-wide decision) only the
 * facilities do. Pass the study's UID wherever the thing read is one study.
 */
export function scopeAllows(scope: AccessScope, facilityId: string, studyInstanceUid?: string): boolean {
  if (scope.kind === 'all' || scope.facilityIds.includes(facilityId)) return true;
  if (studyInstanceUid === undefined) return false;
  return scope.studyGrants?.some((grant) => grant.facilityId === facilityId && grant.studyInstanceUid === studyInstanceUid) ?? false;
}

/** Where an instance came from: the one ingest path records it (Orthanc's "origin"). */
export type IngestOrigin =
  | { kind: 'dimse'; callingAet: string; remoteAddress?: string }
  | { kind: 'stow'; principalLabel: string; userId?: string }
  | { kind: 'upload'; principalLabel: string; userId?: string }
  | { kind: 'import'; source: string };

export function describeOrigin(origin: IngestOrigin): string {
  switch (origin.kind) {
    case 'dimse':
      return `dimse:${origin.callingAet}`;
    case 'stow':
    case 'upload':
      return `${origin.kind}:${origin.userId ?? origin.principalLabel}`;
    case 'import':
      return `import:${origin.source}`;
  }
}
