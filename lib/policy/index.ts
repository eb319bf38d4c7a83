// The one module every route asks before showing or changing anything.
// Rule for all of it: outsiders get NOT_FOUND, never FORBIDDEN (see errors.ts).
export { ROLES, ROLES_THAT_MAY_STORE, isRole, type Role } from './roles';
export { PolicyError, isPolicyError, policyErrorToHttpStatus, type PolicyErrorCode } from './errors';
export { readScopeFor, withoutStudyGrants } from './read-scope';
export { storeFacilityFor, pickStoreFacility } from './store-facility';
export { isNodeAdmin, authorizeNodeAdmin, authorizeFacilityManagement } from './node-admin';
export { authorizeFacilityMember } from './facility-member';
export { archiveAccessFor, type ArchiveAccess } from './archive-access';
export { canAdministerFacility, authorizeFacilityAdministration } from './administer-facility';
export { authorizeAdminArea, authorizeMemberAdministration, type MemberAction } from './admin-area';
export { authorizeStudyAccess, type AuthorizedStudy } from './study-access';
export { authorizePatientLinking } from './patient-linking';
export { administeredFacilitiesFor, type AdministeredFacility } from './administered-facilities';
export { SECOND_FACTOR_POLICIES, isSecondFactorPolicy, isSecondFactorRequired, membersBoundBy, type SecondFactorPolicy } from './second-factor';
export { authorizeDicomTransport, type PeerTransportRequirements, type TransportDecision } from './dicom-transport';
export type { Principal } from './principal';
export { dicomMoveDestination } from './dicom-move-destination';
export { reportAccessFor, authorizeReportAccess, reportReaderScope, readsReportsOf, type ReportAccess, type ReportReaderScope } from './report-access';
export { shareBasisFor, personRecordRefs, isConsentRequiredError, ConsentRequiredError, type ShareBasis, type ShareRequest, type ConsentShortfall } from './share-basis';
export { authorizePatientConsent, authorizeConsentChange, type ConsentPatient } from './consent-access';
export { assertOwnOverride } from './override-use';
export {
  OVERRIDE_DECLARER_ROLES,
  OVERRIDE_REVIEWER_ROLES,
  authorizeOverrideAccess,
  authorizeOverrideDeclaration,
  authorizeOverridePatient,
  facilitiesOfOverride,
  overrideReviewerFacilities,
  overridesConcerningWhere,
  privacyOfficersOf,
  type OverrideRights,
} from './override-access';
