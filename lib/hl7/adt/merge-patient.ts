// ADT A40 (2.5.1: merge patient – patient identifier list) and A34 (2.3.1):
// PID names the surviving patient, MRG-1 the prior identifier. The prior
// record's studies move to the survivor through the archive
// (pacs-core/patients/merge-patients.ts); the portal's rows of the prior record
// (orders, consents, cases, notices, overrides, grants, person links) move in
// the same transaction; the merge is kept in the survivor's history
// (PatientMerge). A prior ID unknown here is recorded as merged too, so that
// images still arriving under it are filed under the survivor.
import { mergePatients } from '../../../pacs-core/patients/merge-patients';
import { findPatientRecord, survivingRecord } from '../../../pacs-core/patients/find-patient-record';
import { updatePatientDemographics } from '../../../pacs-core/patients/update-patient-demographics';
import { writeAuditEvent } from '../../audit/write-audit-event';
import { Hl7Error } from '../hl7-error';
import { hl7Actor } from '../hl7-message';
import type { Hl7Handler } from '../hl7-handlers';
import { moveRecordRows } from './move-record-rows';
import { demographicsFromPid, identifierOf } from './patient-from-pid';

export const mergePatient: Hl7Handler = async (context, message, source) => {
  const { db, archive } = context;
  const survivor = demographicsFromPid(message);
  const mrg = message.segment('MRG');
  if (!mrg) throw new Hl7Error(100, 'a merge needs an MRG segment (the prior patient)', 'MRG');
  const prior = identifierOf(message, mrg, 1, 'MRG-1');
  if (prior.patientId === survivor.patientId && (prior.issuer === survivor.issuer || !prior.issuer || !survivor.issuer)) {
    throw new Hl7Error(205, 'MRG-1 names the surviving patient itself', 'MRG-1');
  }
  // The survivor exists (made if new) with the demographics the message carries
  const updated = await updatePatientDemographics(archive, { facilityId: source.facilityId, ...survivor, at: source.at });
  let merged = await findPatientRecord(db, source.facilityId, prior.patientId, prior.issuer);
  if (merged && (await survivingRecord(db, merged)).id === updated.patientRef) {
    return { patientRef: updated.patientRef, text: `${prior.patientId} was already merged into ${survivor.patientId}` };
  }
  if (!merged) {
    const made = await db.patient.create({
      data: { facilityId: source.facilityId, patientId: prior.patientId, issuer: '', name: '', nameSearch: '', demographicsSource: 'HIS', demographicsAt: source.at },
      select: { id: true },
    });
    merged = await findPatientRecord(db, source.facilityId, prior.patientId, prior.issuer);
    if (!merged || merged.id !== made.id) throw new Error('the prior record just made cannot be read back');
  }
  const mergedRecord = merged;
  let ordersMoved = 0;
  const result = await mergePatients(archive, {
    facilityId: source.facilityId,
    mergedRef: mergedRecord.id,
    survivingRef: updated.patientRef,
    at: source.at,
    inTransaction: async (tx) => {
      ordersMoved = (await moveRecordRows(tx, mergedRecord.id, updated.patientRef)).orders;
      await tx.patientMerge.create({
        data: {
          facilityId: source.facilityId,
          survivingRef: updated.patientRef,
          mergedRef: mergedRecord.id,
          mergedPatientId: mergedRecord.patientId,
          mergedIssuer: mergedRecord.issuer,
          mergedName: mergedRecord.name,
          source: 'HL7',
          messageRef: source.messageId,
        },
      });
    },
  });
  const studiesMoved = result.studiesMoved;
  await db.patientMerge.updateMany({ where: { messageRef: source.messageId, mergedRef: mergedRecord.id }, data: { studiesMoved, ordersMoved } });
  await writeAuditEvent(
    db,
    {
      actor: hl7Actor(message.header),
      action: 'patient.merge',
      outcome: 'SUCCESS',
      facilityId: source.facilityId,
      patientId: survivor.patientId,
      resource: `patient:${updated.patientRef}`,
      details: { source: 'HL7', mergedPatientId: prior.patientId, mergedIssuer: prior.issuer, survivingPatientId: survivor.patientId, studiesMoved, ordersMoved, messageId: source.messageId },
    },
    context.logger,
  );
  return { patientRef: updated.patientRef, text: `${prior.patientId} merged into ${survivor.patientId}: ${studiesMoved} studies moved` };
};
