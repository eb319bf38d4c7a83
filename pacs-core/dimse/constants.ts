// UIDs and fixed values of the DIMSE services (PS3.4 Annex B and C, PS3.6 Annex A).

/** Our Implementation Class UID (PS3.7 D.3.3.2): a UUID-derived UID under 2.25 (PS3.5 B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.271986019361335691959152140142594200122';
/** Implementation Version Name (SH, at most 16 characters). */
export const IMPLEMENTATION_VERSION_NAME = 'TELEPACS_0_1';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/** PS3.4 C.6: the query/retrieve information models we serve. */
export const QR_MODEL = {
  PATIENT_ROOT_FIND: '1.2.840.10008.5.1.4.1.2.1.1',
  PATIENT_ROOT_MOVE: '1.2.840.10008.5.1.4.1.2.1.2',
  PATIENT_ROOT_GET: '1.2.840.10008.5.1.4.1.2.1.3',
  STUDY_ROOT_FIND: '1.2.840.10008.5.1.4.1.2.2.1',
  STUDY_ROOT_MOVE: '1.2.840.10008.5.1.4.1.2.2.2',
  STUDY_ROOT_GET: '1.2.840.10008.5.1.4.1.2.2.3',
} as const;

/** PS3.4 K.6.1: Modality Worklist Information Model – FIND (the worklist a modality reads). */
export const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';

export type QueryRoot = 'patient' | 'study';

export function queryRootOf(sopClassUid: string): QueryRoot | null {
  switch (sopClassUid) {
    case QR_MODEL.PATIENT_ROOT_FIND:
    case QR_MODEL.PATIENT_ROOT_MOVE:
    case QR_MODEL.PATIENT_ROOT_GET:
      return 'patient';
    case QR_MODEL.STUDY_ROOT_FIND:
    case QR_MODEL.STUDY_ROOT_MOVE:
    case QR_MODEL.STUDY_ROOT_GET:
      return 'study';
    default:
      return null;
  }
}

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';

/** The transfer syntaxes dcmjs-dimse can convert between without codecs. */
export const NATIVE_TRANSFER_SYNTAXES: readonly string[] = [IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE];

/** PS3.7 C: statuses the services answer besides failures (failures come from toDimseStatus). */
export const STATUS = {
  SUCCESS: 0x0000,
  PENDING: 0xff00,
  CANCEL: 0xfe00,
  /** C-MOVE: PS3.4 C.4.2.1.5 Refused: Move Destination unknown */
  MOVE_DESTINATION_UNKNOWN: 0xa801,
  /** C-MOVE/C-GET: Refused: Out of Resources – Unable to perform sub-operations */
  SUB_OPERATIONS_REFUSED: 0xa702,
  /** C-MOVE/C-GET: Warning: Sub-operations complete – one or more failures or warnings */
  SUB_OPERATIONS_WITH_FAILURES: 0xb000,
} as const;
