// Which attributes belong to which query/retrieve level (PS3.4 C.6.2.1, Study
// Root), used to fill Study.attributes, Series.attributes and
// Instance.attributes at ingest. QIDO returns these without opening files.

export const PATIENT_LEVEL_TAGS = [
  '00100010', // PatientName
  '00100020', // PatientID
  '00100021', // IssuerOfPatientID
  '00100024', // IssuerOfPatientIDQualifiersSequence
  '00100030', // PatientBirthDate
  '00100032', // PatientBirthTime
  '00100040', // PatientSex
  '00101000', // OtherPatientIDs
  '00101001', // OtherPatientNames
  '00101002', // OtherPatientIDsSequence
  '00102160', // EthnicGroup
  '00104000', // PatientComments
] as const;

export const STUDY_LEVEL_TAGS = [
  '0020000D', // StudyInstanceUID
  '00080020', // StudyDate
  '00080030', // StudyTime
  '00080050', // AccessionNumber
  '00080051', // IssuerOfAccessionNumberSequence
  '00080090', // ReferringPhysicianName
  '00080096', // ReferringPhysicianIdentificationSequence
  '00081030', // StudyDescription
  '00081032', // ProcedureCodeSequence
  '00081060', // NameOfPhysiciansReadingStudy
  '00200010', // StudyID
  '00101010', // PatientAge
  '00101020', // PatientSize
  '00101030', // PatientWeight
  '00102180', // Occupation
  '001021B0', // AdditionalPatientHistory
  '00321060', // RequestedProcedureDescription
] as const;

export const SERIES_LEVEL_TAGS = [
  '0020000E', // SeriesInstanceUID
  '00080060', // Modality
  '00200011', // SeriesNumber
  '0008103E', // SeriesDescription
  '00180015', // BodyPartExamined
  '00080021', // SeriesDate
  '00080031', // SeriesTime
  '00200060', // Laterality
  '00081050', // PerformingPhysicianName
  '00400244', // PerformedProcedureStepStartDate
  '00400245', // PerformedProcedureStepStartTime
  '00400254', // PerformedProcedureStepDescription
  '00400275', // RequestAttributesSequence
  '00080070', // Manufacturer
  '00081090', // ManufacturerModelName
  '00181030', // ProtocolName
  '00080080', // InstitutionName
  '00081010', // StationName
  '00081040', // InstitutionalDepartmentName
  '00185100', // PatientPosition
] as const;

export const INSTANCE_LEVEL_TAGS = [
  '00080016', // SOPClassUID
  '00080018', // SOPInstanceUID
  '00080008', // ImageType
  '00080022', // AcquisitionDate
  '00080023', // ContentDate
  '00080033', // ContentTime
  '00200013', // InstanceNumber
  '00200032', // ImagePositionPatient
  '00200037', // ImageOrientationPatient
  '00200052', // FrameOfReferenceUID
  '00280002', // SamplesPerPixel
  '00280004', // PhotometricInterpretation
  '00280008', // NumberOfFrames
  '00280010', // Rows
  '00280011', // Columns
  '00280100', // BitsAllocated
  '00400A73', // ContentTemplateSequence? (SR) — harmless when absent
  '0040A491', // CompletionFlag (SR)
  '0040A493', // VerificationFlag (SR)
  '00420010', // DocumentTitle (encapsulated PDF)
] as const;
