// ADT A01/A04/A05 (register), A08/A31 (update), A28: the facility's record of
// the patient takes the HIS's demographics (made when it does not exist yet),
// and the index of its studies follows (pacs-core/patients).
import { updatePatientDemographics } from '../../../pacs-core/patients/update-patient-demographics';
import { writeAuditEvent } from '../../audit/write-audit-event';
import type { Hl7Handler } from '../hl7-handlers';
import { hl7Actor } from '../hl7-message';
import { linkRecordToRegionPerson } from '../../../pacs-core/index/region-patient-link';
import { demographicsFromPid, identifierUnder } from './patient-from-pid';

export const registerPatient: Hl7Handler = async (context, message, source) => {
  const patient = demographicsFromPid(message);
  const result = await updatePatientDemographics(context.archive, { facilityId: source.facilityId, ...patient, at: source.at });
  const changed = Object.keys(result.changes).length > 0;
  // The region-wide ID among PID-3's identifiers joins the record to its person, as images carrying it do
  const issuer = context.config.regionPatientIdIssuer;
  const regionId = issuer ? identifierUnder(message, issuer) : null;
  if (issuer && regionId) await context.db.$transaction((tx) => linkRecordToRegionPerson(tx, result.patientRef, regionId, issuer));
  if (result.created || changed) {
    await writeAuditEvent(
      context.db,
      {
        actor: hl7Actor(message.header),
        action: 'patient.update_demographics',
        outcome: 'SUCCESS',
        facilityId: source.facilityId,
        patientId: patient.patientId,
        resource: `patient:${result.patientRef}`,
        details: { source: 'HL7', ...result.changes, studies: result.studies, messageId: source.messageId },
      },
      context.logger,
    );
  }
  const text = result.created ? 'patient registered' : changed ? `demographics updated (${result.studies} ${result.studies === 1 ? 'study' : 'studies'})` : 'no change';
  return { patientRef: result.patientRef, text };
};
