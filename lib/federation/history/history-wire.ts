// What crosses between nodes for the federated patient history (issue 19): the question
// (POST /federation/v1/history: the person by the region-wide identifier), the answer (the
// studies the asker's facility may see now), and the retrieval (POST /federation/v1/history/retrieve).
import { z } from 'zod';

const UID = z.string().regex(/^[0-9.]{1,64}$/, 'expected a DICOM UID');

export const ZHistoryQuery = z
  .object({
    /** The region-wide patient ID (PatientID under the region's IssuerOfPatientID) */
    regionPatientId: z.string().trim().min(1).max(64),
    /** REGION_PATIENT_ID_ISSUER at the asking node: both nodes must name the same issuer */
    issuer: z.string().trim().min(1).max(64),
  })
  .strict();

export const ZHistoryRetrieve = ZHistoryQuery.extend({ studyInstanceUid: UID }).strict();

export type HistoryQuery = z.infer<typeof ZHistoryQuery>;

/** One study as the holding node lists it */
export interface RemoteStudy {
  studyInstanceUid: string;
  /** YYYYMMDD or "" */
  studyDate: string;
  modalities: string[];
  description: string;
  numberOfInstances: number;
  /** The holding facility, as that node names it */
  facility: { id: string; name: string };
}

export interface HistoryAnswer {
  studies: RemoteStudy[];
}

export interface RetrieveAnswer {
  /** The sender's transfer id (the IN row at the asker carries it) */
  transferId: string;
  total: number;
  facility: string;
}

/** "\CT\SR\" (the index's column) as a list */
export function modalityList(column: string): string[] {
  return column.split('\\').filter(Boolean);
}
