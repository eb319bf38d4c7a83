// What a caller may see and where its writes go. Decided by the portal's policy
// module (lib/policy) and handed to pacs-core, which only applies it: pacs-core
// never decides who may see what.

/**
 * Who the grants table is read for (the "AccessGrant" rows: docs/architecture.md,
 * "Every read grant beyond one's own facilities is a row"). A grant names one facility's copy of a study (its Study row) and a
 * grantee: this user, one of their services, or one of the facilities of the
 * scope (a grant to a facility opens the study to its members). The lookup is a
 * join in the query itself, so 5,000 grants cost what 5 do, and a revoked or
 * expired grant reads nothing on the very next request.
 */
export interface Grantee {
  userId: string;
  /** The caller's services (departments, expert pools); a grant to one counts */
  serviceIds: readonly string[];
}

/**
 * What a caller may read: every study of some facilities, plus the study
 * copies granted to it (an open teleconsultation lets its participants read
 * its study, whatever their facility). A grant covers that facility's copy of
 * the study only: never another facility's copy of the same UID, never the
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
      /**
       * Whose grants open more studies; absent = none. The portal sets it only
       * when the caller holds an active grant, so the common query stays the
       * facility list alone.
       */
      grantee?: Grantee;
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
  | 'dimse.mwl-find'
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
  /**
   * What this caller stores must match a manifest signed by its node (a paired node's
   * transfer, lib/federation): SOP Instance UID → SHA-256 (hex). Absent: no such check.
   */
  expectedSha256?: ReadonlyMap<string, string>;
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
 * Whether the scope lets the caller read everything of this facility (a
 * patient, a facility-wide decision). Grants never count here: a grant is on
 * one study copy, and whether a study is readable is a query
 * (index/find-visible-study.ts, index/readable-studies.ts).
 */
export function scopeAllows(scope: AccessScope, facilityId: string): boolean {
  return scope.kind === 'all' || scope.facilityIds.includes(facilityId);
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
