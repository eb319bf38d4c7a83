// Every audit action the code writes, in ONE typed map: the words a privacy
// officer reads in the audit view and its CSV, the DICOM audit message event
// ID (PS3.15 A.5.3, codes from the DCM code system, PS3.16 Annex D) so that a
// reviewer or a SIEM sees the standard's vocabulary, and the keys each
// action's details carry (AuditDetails below). `recordAudit` takes an
// AuditAction, so an action that is not listed here does not compile; the
// archive (pacs-core) names its own actions in ArchiveAuditAction, and the
// check at the bottom of this file makes every one of them a key here.
//
// A refused attempt keeps the event ID of what was attempted (PS3.15 A.5.3:
// the outcome, not the event, says it failed). Actions without a DICOM
// counterpart (administration, teleconsultation annotations) carry none.
import type { ArchiveAuditAction } from '../../pacs-core/access';

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

interface AuditActionSpec {
  /** What happened, in words, past tense: what the audit view shows */
  label: string;
  /** PS3.15 A.5.3 EventID, when the action has a DICOM counterpart */
  dicomEventId?: DicomAuditEventId;
}

export const AUDIT_ACTIONS = {
  // Sign-in and the account's own security
  'auth.sign_in': { label: 'Signed in', dicomEventId: '110114' },
  'auth.sign_out': { label: 'Signed out', dicomEventId: '110114' },
  'auth.basic': { label: 'Signed in with a password (HTTP Basic)', dicomEventId: '110114' },
  'auth.second_factor': { label: 'Entered a second-factor code', dicomEventId: '110114' },
  'account.accept_invitation': { label: 'Accepted an invitation' },
  'account.reset_password': { label: 'Set a new password with a reset link' },
  'account.enrol_second_factor': { label: 'Set up a second factor' },
  'account.new_recovery_codes': { label: 'Made new recovery codes' },
  'account.disable_second_factor': { label: 'Turned off their second factor' },
  'account.create_api_token': { label: 'Created an API token' },
  'account.revoke_api_token': { label: 'Revoked an API token' },
  'auth.password.change': { label: 'Changed their password', dicomEventId: '110114' },
  // Administration
  'bootstrap.create_admin': { label: 'First administrator created' },
  'admin.invite_member': { label: 'Invited a member' },
  'admin.revoke_invitation': { label: 'Withdrew an invitation' },
  'admin.change_role': { label: "Changed a member's role" },
  'admin.disable_user': { label: 'Disabled an account' },
  'admin.enable_user': { label: 'Enabled an account' },
  'admin.reset_password': { label: 'Made a password reset link' },
  'admin.reset_second_factor': { label: "Reset a member's second factor" },
  'admin.set_second_factor_policy': { label: 'Changed the second-factor rule' },
  'admin.create_dicom_peer': { label: 'Added a DICOM device' },
  'admin.update_dicom_peer': { label: 'Changed a DICOM device' },
  'admin.delete_dicom_peer': { label: 'Removed a DICOM device' },
  'admin.echo_dicom_peer': { label: 'Tested a DICOM device (C-ECHO)' },
  'admin.denied': { label: 'Tried an administration task without the right' },
  'admin.job.retry': { label: 'Retried a background job' },
  'admin.patient.link': { label: "Linked a patient's records across facilities", dicomEventId: '110110' },
  'admin.patient.unlink': { label: "Unlinked a patient's records", dicomEventId: '110110' },
  // Node administration: facilities, services, node administrators
  'bootstrap.node_admin': { label: 'Made the configured administrator a node administrator' },
  'admin.facility.create': { label: 'Created a facility' },
  'admin.facility.update': { label: "Changed a facility's details" },
  'admin.facility.disable': { label: 'Disabled a facility' },
  'admin.facility.enable': { label: 'Enabled a facility' },
  'admin.facility.logo': { label: "Changed a facility's logo" },
  'admin.facility.signing_certificate': { label: "Replaced the facility's report signing certificate" },
  'admin.service.create': { label: 'Created a service' },
  'admin.service.update': { label: 'Changed a service' },
  'admin.service.disable': { label: 'Disabled a service' },
  'admin.service.enable': { label: 'Enabled a service' },
  'admin.service.member.add': { label: 'Added a member to a service' },
  'admin.service.member.remove': { label: 'Removed a member from a service' },
  'admin.service.member.on_call': { label: "Changed a service member's on-call status" },
  'admin.node_admin.grant': { label: 'Made someone a node administrator' },
  'admin.node_admin.revoke': { label: 'Took node administration from someone' },
  'portal.acting_facility.change': { label: 'Chose the facility they act for' },
  // The portal's pages
  'portal.worklist': { label: 'Searched the worklist', dicomEventId: '110112' },
  'portal.patient': { label: "Opened a patient's record", dicomEventId: '110110' },
  'portal.study': { label: 'Opened a study', dicomEventId: '110103' },
  'portal.study.download': { label: 'Downloaded a study', dicomEventId: '110106' },
  'portal.study.delete': { label: 'Deleted a study', dicomEventId: '110105' },
  'portal.consultation': { label: 'Opened a teleconsultation', dicomEventId: '110103' },
  'portal.referrals': { label: 'Looked at the second-opinion inbox or their referrals', dicomEventId: '110112' },
  // Teleconsultations
  'consult.start': { label: 'Started a teleconsultation' },
  'consult.join': { label: 'Joined a teleconsultation', dicomEventId: '110103' },
  'consult.leave': { label: 'Left a teleconsultation' },
  'consult.end': { label: 'Ended a teleconsultation' },
  'consult.export': { label: 'Saved the annotations into the study (DICOM SR)', dicomEventId: '110103' },
  'consult.annotation.create': { label: 'Drew an annotation' },
  'consult.annotation.delete': { label: 'Removed an annotation' },
  'consult.guest_link.create': { label: 'Invited a guest by link' },
  'consult.guest_link.revoke': { label: 'Withdrew a guest link' },
  'consult.guest_link.use': { label: 'Opened a guest link' },
  // Reports (lib/reports)
  'report.create': { label: 'Started a report', dicomEventId: '110103' },
  'report.save': { label: 'Saved a report draft' },
  'report.preliminary': { label: 'Released a preliminary report' },
  'report.sign': { label: 'Signed a report', dicomEventId: '110103' },
  'report.amend': { label: 'Started an amendment of a signed report' },
  'report.addendum': { label: 'Started an addendum to a signed report' },
  'report.cosign.request': { label: 'Sent a report to a colleague for signature' },
  'report.cosign.withdraw': { label: 'Withdrew a request for a co-signature' },
  'report.view': { label: 'Read a report', dicomEventId: '110103' },
  'report.download': { label: 'Downloaded a report', dicomEventId: '110106' },
  // Second opinions (lib/referrals)
  'referral.create': { label: 'Created a second-opinion case' },
  'referral.send': { label: 'Sent a second-opinion case' },
  'referral.claim': { label: 'Claimed a second-opinion case' },
  'referral.decline': { label: 'Declined a second-opinion case' },
  'referral.redirect': { label: 'Sent a declined case to someone else' },
  'referral.start': { label: 'Started reading a second-opinion case' },
  'referral.ask': { label: 'Asked a question on a second-opinion case' },
  'referral.answer': { label: 'Answered a question on a second-opinion case' },
  'referral.complete': { label: 'Completed a second-opinion case with a signed report' },
  'referral.close': { label: 'Closed a second-opinion case' },
  'referral.cancel': { label: 'Cancelled a second-opinion case' },
  'referral.forward': { label: 'Forwarded a second-opinion case' },
  'referral.escalate': { label: 'A second-opinion case passed its due time' },
  'referral.message': { label: 'Wrote on a second-opinion case' },
  'referral.attachment': { label: 'Attached a file to a second-opinion case' },
  'referral.view': { label: 'Opened a second-opinion case', dicomEventId: '110110' },
  'referral.attachment.download': { label: 'Opened an attachment of a second-opinion case', dicomEventId: '110106' },
  // Patient consent and the emergency override (lib/consent, lib/emergency-override)
  'consent.record': { label: "Recorded a patient's consent or refusal to share", dicomEventId: '110110' },
  'consent.revoke': { label: "Revoked a patient's consent", dicomEventId: '110110' },
  'consent.view': { label: "Looked at a patient's consents and shares", dicomEventId: '110110' },
  'consent.document': { label: "Opened a patient's consent form", dicomEventId: '110106' },
  'consent.share_refused': { label: 'A share was refused: no consent' },
  'consent.rules': { label: 'Changed what needs consent' },
  'consent.form.create': { label: 'Published a consent form version' },
  'consent.form.retire': { label: 'Retired a consent form' },
  'override.start': { label: 'Opened emergency access without consent', dicomEventId: '110113' },
  'override.stop': { label: 'Emergency access ended', dicomEventId: '110113' },
  'override.review': { label: 'Reviewed an emergency access' },
  // Emergency transfer notices (lib/transfers, issue 17)
  'transfer.send': { label: 'Sent an emergency transfer notice', dicomEventId: '110110' },
  'transfer.view': { label: 'Opened an emergency transfer notice', dicomEventId: '110110' },
  'transfer.acknowledge': { label: 'Acknowledged an emergency transfer notice' },
  'transfer.accept': { label: 'Accepted an emergency transfer' },
  'transfer.redirect': { label: 'Redirected an emergency transfer notice' },
  'transfer.update': { label: 'Updated an emergency transfer notice (vitals, ETA, studies)', dicomEventId: '110110' },
  'transfer.message': { label: 'Wrote on an emergency transfer notice' },
  'transfer.escalate': { label: 'An emergency transfer alarm went unacknowledged' },
  'transfer.arrive': { label: 'Recorded the arrival of a transferred patient' },
  'transfer.cancel': { label: 'Cancelled an emergency transfer notice' },
  // The FHIR read API (lib/fhir)
  'fhir.search': { label: 'Searched reports, studies, second-opinion cases or consents (FHIR)', dicomEventId: '110112' },
  'fhir.read': { label: 'Read a report, study, second-opinion case or consent (FHIR)', dicomEventId: '110103' },
  'admin.report_template.create': { label: 'Created a report template' },
  'admin.report_template.update': { label: 'Changed a report template' },
  'admin.report_template.retire': { label: 'Retired a report template' },
  // The archive: DICOMweb
  'dicomweb.qido': { label: 'Searched the archive (DICOMweb)', dicomEventId: '110112' },
  'dicomweb.wado': { label: 'Viewed images (DICOMweb)', dicomEventId: '110103' },
  'dicomweb.read': { label: 'Asked to view images (DICOMweb)', dicomEventId: '110103' },
  'dicomweb.stow': { label: 'Stored images (DICOMweb)', dicomEventId: '110104' },
  // The archive: DIMSE (a refused association is a node authentication failure, PS3.15 A.5.3.11)
  'dimse.associate': { label: 'A DICOM device connected', dicomEventId: '110113' },
  'dimse.c-find': { label: 'A DICOM device searched the archive', dicomEventId: '110112' },
  'dimse.c-store': { label: 'A DICOM device stored images', dicomEventId: '110104' },
  'dimse.c-move': { label: 'A DICOM device sent images elsewhere (C-MOVE)', dicomEventId: '110104' },
  'dimse.c-get': { label: 'A DICOM device fetched images (C-GET)', dicomEventId: '110104' },
  // The data bridge (issue 18): HL7 v2 from the HIS/RIS, the Modality Worklist, reports back
  'hl7.receive': { label: 'Received an HL7 message', dicomEventId: '110110' },
  'hl7.refuse': { label: 'Refused an HL7 message', dicomEventId: '110113' },
  'hl7.send': { label: 'Sent a report to the RIS (HL7)', dicomEventId: '110106' },
  'patient.update_demographics': { label: "Updated a patient's demographics", dicomEventId: '110110' },
  'patient.merge': { label: 'Merged two patient records', dicomEventId: '110110' },
  'order.change': { label: 'An imaging order changed' },
  'dimse.mwl-find': { label: 'A modality read the worklist', dicomEventId: '110112' },
  'admin.hl7_sender.create': { label: 'Added an HL7 sender' },
  'admin.hl7_sender.delete': { label: 'Removed an HL7 sender' },
  'admin.hl7_destination.update': { label: 'Changed where reports are sent (HL7)' },
  'admin.hl7_message.reprocess': { label: 'Processed an HL7 message again' },
  'admin.hl7_message.view': { label: 'Read HL7 messages (patient data)', dicomEventId: '110110' },
  // Telediagnostics between nodes (issue 19, lib/federation)
  'federation.pair': { label: 'Paired this node with another node', dicomEventId: '110113' },
  'federation.peer_status': { label: 'Suspended, resumed or unpaired a node', dicomEventId: '110113' },
  'federation.rotate_key': { label: "Rotated this node's key", dicomEventId: '110113' },
  'federation.peer_key': { label: 'A paired node announced a new key', dicomEventId: '110113' },
  'federation.refused': { label: 'Refused a request from another node', dicomEventId: '110113' },
  'federation.send': { label: 'Sent a study to a facility of another node', dicomEventId: '110106' },
  'federation.receive': { label: 'Received a study from another node', dicomEventId: '110104' },
  'federation.consult_join': { label: 'Went to join a teleconsultation at another node', dicomEventId: '110114' },
  'federation.history_query': { label: "Another node asked for a patient's studies (federated history)", dicomEventId: '110112' },
  'federation.history_ask': { label: "Asked the paired nodes for a patient's studies", dicomEventId: '110112' },
  'federation.history_retrieve': { label: "Asked another node to send a patient's study here" },
  // The audit trail itself
  'audit.view': { label: 'Viewed the audit trail', dicomEventId: '110101' },
  'audit.export': { label: 'Exported the audit trail', dicomEventId: '110101' },
} as const satisfies Record<string, AuditActionSpec>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** Keys a refusal or a failure adds to any action's details (record-refused-attempt, pacs-core's 404s). */
interface RefusalDetails {
  reason?: string;
  /** The door of a teleconsultation: page, api, socket */
  via?: string;
  /** The HTTP status answered */
  status?: number;
  error?: string;
}

/** An HL7 message as the audit names it: its type, control ID, sender and the stored row */
type Hl7Details = { messageType?: string; controlId?: string; sendingApplication?: string; sendingFacility?: string; messageId?: string; reason?: string };
type SignIn = { secondFactor?: string };
/** The other node of a node-to-node event: its id and name, and the person it asserted */
type FederationDetails = { peerNodeId?: string; peerName?: string; remoteUser?: string };
type FederationTransferDetails = { transferId?: string; facility?: string; total?: number; done?: number; skipped?: number; state?: string; legalBasis?: string; consentId?: string | null };
/** A changed field: its value before and after */
type FieldChange = { from?: string | null; to?: string | null };
type ServiceFields = {
  name?: string;
  code?: string | null;
  description?: string;
  disabled?: boolean;
  /** Second-opinion turnaround, whole minutes */
  turnaroundStatMinutes?: number;
  turnaroundUrgentMinutes?: number;
  turnaroundRoutineMinutes?: number;
  /** Emergency transfers: an unacknowledged alarm escalates after these minutes */
  transferEscalationMinutes?: number;
  /** Emergency transfers: the images stay readable this many hours after arrival */
  transferAccessHours?: number;
};
type ServiceChange = { before?: ServiceFields; change?: ServiceFields };
/** A second-opinion case's transition: from, to, why, and the addressee it went to (send, redirect, forward) */
type ReferralDetails = { from?: string | null; to?: string; reason?: string; priority?: string; addressee?: { userId?: string | null; serviceId?: string | null; facilityId?: string }; studies?: string[]; reportId?: string; dueAt?: string; peerName?: string; remoteReferralId?: string };
/** A consent as the audit keeps it */
type ConsentDetails = { consentId?: string; decision?: string; recipient?: string; purposes?: string[]; dataScope?: string; studies?: string[]; validFrom?: string; validUntil?: string | null; evidence?: string; reason?: string; source?: string };
/** An emergency override; eventTypeCode: DCM 110127 Emergency Override Started / 110138 Emergency Override Stopped (PS3.15 A.5.3.11) */
type OverrideDetails = { overrideId?: string; eventTypeCode?: string; reasonCode?: string; reason?: string; endsAt?: string; patientFacilityId?: string };
/** A transfer notice's change: from, to, why, where it went, what was updated */
type TransferDetails = { from?: string; to?: string; reason?: string; serviceId?: string; fromServiceId?: string; condition?: string; etaAt?: string; studies?: string[]; vitals?: boolean; grantsUntil?: string; minutes?: number; messageId?: string; peerName?: string; remoteNoticeId?: string };
type Peer = { aet?: string; host?: string; port?: number };
type SavedPeer = Peer & { tls?: boolean; requireClientCertificate?: boolean; anyAddress?: boolean };

/** The details each action carries (every key optional: a refusal carries only RefusalDetails). */
export interface AuditDetailsByAction {
  'auth.sign_in': SignIn;
  'auth.sign_out': object;
  'auth.basic': object;
  'auth.second_factor': { purpose?: string };
  'account.accept_invitation': { role?: string; existingAccount?: boolean };
  'account.reset_password': { sessionsEnded?: number };
  'account.enrol_second_factor': { method?: string };
  'account.new_recovery_codes': object;
  'account.disable_second_factor': { mustEnrolAgain?: boolean };
  'account.create_api_token': { name?: string; prefix?: string; expiresAt?: string };
  'account.revoke_api_token': object;
  'auth.password.change': { sessionsEnded?: number };
  'bootstrap.create_admin': { userId?: string; adminEmail?: string };
  'admin.invite_member': { email?: string; role?: string; existingAccount?: boolean; expiresAt?: string };
  'admin.revoke_invitation': { email?: string; role?: string };
  'admin.change_role': { from?: string[]; to?: string };
  'admin.disable_user': { email?: string; sessionsEnded?: number };
  'admin.enable_user': { email?: string; sessionsEnded?: number };
  'admin.reset_password': { email?: string; linkId?: string; expiresAt?: string };
  'admin.reset_second_factor': { email?: string; hadSecondFactor?: boolean; sessionsEnded?: number };
  'admin.set_second_factor_policy': { policy?: string; previous?: string; sessionsSentToEnrolment?: number };
  'admin.create_dicom_peer': SavedPeer;
  'admin.update_dicom_peer': SavedPeer;
  'admin.delete_dicom_peer': Peer;
  'admin.echo_dicom_peer': Peer & { tls?: boolean; outcome?: string; echoMs?: number };
  'admin.denied': { operation?: string };
  'admin.job.retry': { type?: string; key?: string; previousState?: string; attempts?: number; lastError?: string | null };
  'admin.patient.link': { personId?: string; otherRecord?: string; otherFacilityId?: string; otherPatientId?: string };
  'admin.patient.unlink': { personId?: string; otherRecord?: string; otherFacilityId?: string; otherPatientId?: string; reason?: string; linkMethod?: string };
  'bootstrap.node_admin': { userId?: string };
  'admin.facility.create': { code?: string; name?: string; address?: string; phone?: string };
  'admin.facility.update': { name?: FieldChange; address?: FieldChange; phone?: FieldChange };
  'admin.facility.disable': object;
  'admin.facility.enable': object;
  'admin.facility.logo': { mimeType?: string | null; bytes?: number };
  'admin.facility.signing_certificate': { format?: string; subject?: string; issuer?: string; sha256Fingerprint?: string; notAfter?: string };
  'admin.service.create': { name?: string; code?: string | null; description?: string };
  'admin.service.update': ServiceChange;
  'admin.service.disable': ServiceChange;
  'admin.service.enable': ServiceChange;
  'admin.service.member.add': { userId?: string; email?: string };
  'admin.service.member.remove': { userId?: string };
  'admin.service.member.on_call': { userId?: string; onCall?: boolean; before?: boolean };
  'admin.node_admin.grant': { email?: string };
  'admin.node_admin.revoke': { email?: string };
  'portal.acting_facility.change': object;
  'portal.worklist': { filters?: unknown; sort?: unknown; page?: number; shown?: number; total?: number; /** scheduled orders shown above the studies (issue 18) */ scheduled?: number };
  'portal.patient': { studies?: number; shownOn?: string };
  'portal.study': { tagsOf?: string };
  'portal.study.download': { files?: number };
  'portal.study.delete': { description?: string | null; series?: number; instances?: number; bytes?: number; patientRemoved?: boolean };
  'portal.consultation': object;
  'portal.referrals': { box?: string; filters?: unknown; page?: number; shown?: number; total?: number };
  'referral.create': ReferralDetails;
  'referral.send': ReferralDetails;
  'referral.claim': ReferralDetails;
  'referral.decline': ReferralDetails;
  'referral.redirect': ReferralDetails;
  'referral.start': ReferralDetails;
  'referral.ask': ReferralDetails;
  'referral.answer': ReferralDetails;
  'referral.complete': ReferralDetails;
  'referral.close': ReferralDetails;
  'referral.cancel': ReferralDetails;
  'referral.forward': ReferralDetails;
  'referral.escalate': ReferralDetails;
  'referral.message': { messageId?: string; attachments?: number; peerName?: string };
  'referral.attachment': { attachmentId?: string; fileName?: string; contentType?: string; size?: number };
  'referral.view': object;
  'referral.attachment.download': { attachmentId?: string };
  'consult.start': { invitees?: string[]; referralId?: string };
  'consult.join': object;
  'consult.leave': object;
  'consult.end': object;
  'consult.export': { sopInstanceUid?: string; seriesInstanceUid?: string; annotationCount?: number; instanceNumber?: number };
  'consult.annotation.create': { annotationUid?: string; tool?: string; seriesInstanceUid?: string; sopInstanceUid?: string };
  'consult.annotation.delete': { annotationUid?: string; tool?: string; authorUserId?: string };
  'consult.guest_link.create': { guestName?: string; guestEmail?: string | null; expiresAt?: string };
  'consult.guest_link.revoke': { guestName?: string; wasUsed?: boolean; guestUserId?: string | null; sessionsEnded?: number };
  'consult.guest_link.use': { guestName?: string; expiresAt?: string; step?: string };
  'report.create': { templateId?: string; version?: number };
  'report.save': { version?: number; revision?: number; sections?: number; keyImages?: number };
  'report.preliminary': { version?: number };
  'report.sign': { version?: number; reportStatus?: string; contentSha256?: string; cosignedForUserId?: string; artifacts?: Record<string, string> };
  'report.amend': { version?: number; reason?: string };
  'report.addendum': { version?: number; reason?: string };
  'report.cosign.request': { version?: number; signerUserId?: string };
  'report.cosign.withdraw': { version?: number; signerUserId?: string };
  'report.view': { version?: number; reportStatus?: string };
  'report.download': { version?: number; format?: string };
  'transfer.send': TransferDetails;
  'transfer.view': object;
  'transfer.acknowledge': TransferDetails;
  'transfer.accept': TransferDetails;
  'transfer.redirect': TransferDetails;
  'transfer.update': TransferDetails;
  'transfer.message': TransferDetails;
  'transfer.escalate': TransferDetails;
  'transfer.arrive': TransferDetails;
  'transfer.cancel': TransferDetails;
  'consent.record': ConsentDetails;
  'consent.revoke': ConsentDetails & { grantsEnded?: number; socketsClosed?: number };
  'consent.view': { consents?: number; shares?: number };
  'consent.document': { consentId?: string };
  'consent.share_refused': { purpose?: string; recipient?: string; denied?: boolean; studyUid?: string };
  'consent.rules': { requiredFor?: string[] };
  'consent.form.create': { key?: string; language?: string; version?: number; title?: string };
  'consent.form.retire': { key?: string; language?: string; version?: number };
  'override.start': OverrideDetails;
  'override.stop': OverrideDetails & { grantsEnded?: number; how?: string };
  'override.review': OverrideDetails & { reviewStatus?: string; comment?: string };
  'fhir.search': { resourceType?: string; params?: Record<string, string>; results?: number; studies?: number; total?: number; cases?: string[]; consents?: string[] };
  'fhir.read': { resourceType?: string; reportStatus?: string; referralStatus?: string; consentStatus?: string };
  'admin.report_template.create': { name?: string; modality?: string; bodyRegion?: string; sections?: number };
  'admin.report_template.update': { name?: FieldChange; sections?: number };
  'admin.report_template.retire': { name?: string };
  'dicomweb.qido': { level?: string; results?: number };
  'dicomweb.wado': object;
  'dicomweb.read': object;
  'dicomweb.stow': { stored?: number; failed?: number; studies?: string[]; bodyError?: string };
  'dimse.associate': { calledAet?: string; secure?: boolean; clientCertificateSubject?: string };
  'hl7.receive': Hl7Details & { ackCode?: string; event?: string; orders?: number };
  'hl7.refuse': Hl7Details & { ackCode?: string };
  'hl7.send': Hl7Details & { reportId?: string; resultStatus?: string; ackCode?: string; destination?: string };
  'patient.update_demographics': { source?: string; name?: FieldChange; sex?: FieldChange; birthDate?: FieldChange; studies?: number; messageId?: string };
  'patient.merge': { source?: string; mergedPatientId?: string; mergedIssuer?: string; survivingPatientId?: string; studiesMoved?: number; ordersMoved?: number; messageId?: string };
  // orderStatus, not status: every action's details may carry RefusalDetails.status (an HTTP status)
  'order.change': { accessionNumber?: string; orderStatus?: FieldChange; orderControl?: string; messageId?: string; studyUid?: string; linkedBy?: 'studyInstanceUid' | 'accessionNumber' };
  'dimse.mwl-find': { matches?: number; cancelled?: boolean; keys?: string[] };
  'admin.hl7_sender.create': { application?: string; sendingFacility?: string };
  'admin.hl7_sender.delete': { application?: string; sendingFacility?: string };
  'admin.hl7_destination.update': { host?: FieldChange; port?: FieldChange; enabled?: FieldChange; receivingApplication?: FieldChange; receivingFacility?: FieldChange; removed?: boolean };
  'admin.hl7_message.reprocess': Hl7Details & { ackCode?: string; /** the message's status before and after */ from?: string; to?: string };
  /** The list (filters, rows shown) or one message (Hl7Details) */
  'admin.hl7_message.view': Hl7Details & { filters?: Record<string, string>; shown?: number };
  'dimse.c-find': { level?: string; matches?: number; cancelled?: boolean; keys?: string[] };
  'dimse.c-store': { stored?: number; duplicates?: number; failed?: number };
  'dimse.c-move': { level?: string; destination?: string; completed?: number; failed?: number; warning?: number; cancelled?: boolean };
  'dimse.c-get': { level?: string; destination?: string; completed?: number; failed?: number; warning?: number; cancelled?: boolean };
  'federation.pair': FederationDetails & { fingerprint?: string; role?: 'CODE_MADE' | 'ACCEPTED' | 'CODE_USED' };
  'federation.peer_status': FederationDetails & { from?: string; to?: string; by?: 'LOCAL' | 'REMOTE' };
  'federation.rotate_key': { kid?: string; previousKid?: string; fingerprint?: string; peersTold?: number };
  'federation.peer_key': FederationDetails & { kid?: string; fingerprint?: string };
  'federation.refused': FederationDetails & { path?: string; method?: string };
  'federation.send': FederationDetails & FederationTransferDetails;
  'federation.receive': FederationDetails & FederationTransferDetails;
  'federation.consult_join': FederationDetails;
  /** At the holding node: what it listed to the peer's person (studies), what it withheld for want of a basis */
  'federation.history_query': FederationDetails & { regionPatientId?: string; listed?: number; withheld?: number; denied?: number; studies?: string[] };
  /** At the asking node: the nodes asked, those that answered, the studies listed */
  'federation.history_ask': { regionPatientId?: string; nodes?: number; answered?: number; listed?: number; unreachable?: string[] };
  'federation.history_retrieve': FederationDetails & { regionPatientId?: string; transferId?: string; total?: number };
  'audit.view': { filters?: Record<string, string>; results?: number; page?: number };
  'audit.export': { filters?: Record<string, string>; results?: number };
}

/**
 * Any access made through an emergency override's grant names it (issue 16): overrideId for
 * one study copy, overrideIds for a search run while overrides widened the caller's scope.
 */
interface UnderOverrideDetails {
  overrideId?: string;
  overrideIds?: string[];
}

export type AuditDetails<A extends AuditAction> = AuditDetailsByAction[A] & RefusalDetails & UnderOverrideDetails & { eventId?: DicomAuditEventId };

/** The words of an action; an action no longer written (an old row) shows its code. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action].label : action;
}

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, action);
}

export function dicomAuditEventFor(action: string): DicomAuditEventId | undefined {
  if (!isAuditAction(action)) return undefined;
  const spec: AuditActionSpec = AUDIT_ACTIONS[action];
  return spec.dicomEventId;
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

// Compile-time: every action the archive emits is in the map (pacs-core cannot import it).
type Missing<T extends AuditAction> = T;
export type ArchiveAuditActionsAreMapped = Missing<ArchiveAuditAction>;
