// Read grants beyond a person's own facilities (issue 13): one row per grant,
// joined by the archive's scope; docs/architecture.md, "Every read grant beyond one's own facilities is a row".
export { GRANT_PURPOSES, GRANT_KINDS, type GrantPurpose, type GrantSource, type GrantsDatabase } from './purposes';
export { grantStudyRead, type GrantGrantee, type GrantStudyReadInput } from './grant-study-read';
export { revokeGrants, type RevokeWhere, type Revocation, type RevokedGrant } from './revoke-grants';
export { closeRevokedSockets, type SocketContext } from './close-revoked-sockets';
export { grantConsultationReads, revokeConsultationReads, type ConsultedStudy, type ConsultationGrantee } from './consultation-grants';
export { backfillConsultationGrants } from './backfill-consultation-grants';
export { activeGranteesOfStudy, granteesOf } from './study-grantees';
export { grantReferralReads, revokeReferralReads, referralGrantsOf, type ReferralStudyCopy } from './referral-grants';
