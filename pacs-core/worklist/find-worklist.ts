// The Modality Worklist query (PS3.4 K.4.1, K.6.1.2): a modality's keys →
// the scheduled procedure steps (ImagingOrder rows) of one facility that
// match them, each as the answer's dataset (worklist-item.ts). Transport-free:
// the DIMSE C-FIND (dimse/worklist-find.ts) hands over the keys and the
// facility its association was granted; the facility is decided by lib/policy.
import type { Database, Prisma } from '../../prisma/database';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { matchesValue, parseWorklistMatch, type WorklistMatch } from './worklist-match';
import { worklistAttribute, type WorklistAttribute, type WorklistRow } from './worklist-attributes';
import { worklistItem } from './worklist-item';

/**
 * What a modality sees (IHE RAD TF-2 4.5, PS3.4 K): steps still to be
 * performed. SCHEDULED, and IN_PROGRESS (MPPS IN PROGRESS: the modality that
 * started it may query again). Not CANCELLED, not COMPLETED, and not
 * IMAGES_RECEIVED (its images are here: the step was performed; a repeat is
 * a new order).
 */
export const WORKLIST_STATUSES = ['SCHEDULED', 'IN_PROGRESS'] as const;

/** Rows read per database round: the active steps of a day fit in one or two. */
const PAGE_SIZE = 200;

/** The request's keys as text (multiple values joined by "\"), by keyword. */
export interface WorklistRequest {
  /** Top-level keys (Patient, Visit, Imaging Service Request, Requested Procedure) */
  keys: ReadonlyMap<string, string>;
  /** The Scheduled Procedure Step Sequence's one item (PS3.4 C.2.2.2.6), absent if not asked; a sequence without an item asks for every step attribute */
  step: ReadonlyMap<string, string> | undefined;
  /** Requested keys we hold no value for (answered zero-length, K.6.1.2.2 Type 2), with their DICOM JSON tag and VR */
  unsupported: readonly { keyword: string; tag: string; vr: string; inStep: boolean }[];
}

interface Key {
  attribute: WorklistAttribute;
  match: WorklistMatch;
}

export interface WorklistFindPlan {
  /** For the audit row: the keys asked, a step's as ScheduledProcedureStepSequence.Keyword */
  keywords: string[];
  matches: AsyncGenerator<DicomJsonDataset>;
}

/** Validates every key now (a malformed date or UID throws BAD_REQUEST), then yields the matching steps in schedule order. */
export function planWorklistFind(db: Database, facilityId: string, request: WorklistRequest): WorklistFindPlan {
  const parse = (keys: ReadonlyMap<string, string>, inStep: boolean): Key[] =>
    [...keys].flatMap(([keyword, value]) => {
      const attribute = worklistAttribute(keyword, inStep);
      return attribute ? [{ attribute, match: parseWorklistMatch(keyword, attribute.match, value) }] : [];
    });
  const keys = [...parse(request.keys, false), ...(request.step ? parse(request.step, true) : [])];
  const where = preselect(facilityId, keys);
  const keywords = [...request.keys.keys(), ...[...(request.step?.keys() ?? [])].map((keyword) => `ScheduledProcedureStepSequence.${keyword}`)];

  async function* matches(): AsyncGenerator<DicomJsonDataset> {
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const rows: WorklistRow[] = await db.imagingOrder.findMany({
        where,
        include: { patient: true },
        orderBy: [{ scheduledDate: 'asc' }, { scheduledTime: 'asc' }, { id: 'asc' }],
        skip,
        take: PAGE_SIZE,
      });
      for (const row of rows) {
        if (keys.every(({ attribute, match }) => matchesValue(match, attribute.match, attribute.value(row)))) yield worklistItem(row, request);
      }
      if (rows.length < PAGE_SIZE) return;
    }
  }
  return { keywords, matches: matches() };
}

/**
 * The database's share: the facility, the active statuses, and the selective
 * keys a modality sends (date, modality, station, accession, study, patient)
 * when they are plain values or date ranges. Wildcards and names are left to
 * matchesValue, which checks every key again on what comes back.
 */
function preselect(facilityId: string, keys: readonly Key[]): Prisma.ImagingOrderWhereInput {
  const where: Prisma.ImagingOrderWhereInput = { facilityId, status: { in: [...WORKLIST_STATUSES] } };
  const patient: Prisma.PatientWhereInput = {};
  for (const { attribute, match } of keys) {
    if (match.kind === 'values') {
      const values = { in: match.values };
      switch (attribute.keyword) {
        case 'AccessionNumber':
          where.accessionNumber = values;
          break;
        case 'StudyInstanceUID':
          where.studyInstanceUid = values;
          break;
        case 'Modality':
          where.modality = values;
          break;
        case 'ScheduledStationAETitle':
          where.stationAet = values;
          break;
        case 'ScheduledProcedureStepStartDate':
          where.scheduledDate = values;
          break;
        case 'PatientID':
          patient.patientId = values;
          break;
      }
    } else if (match.kind === 'range' && attribute.keyword === 'ScheduledProcedureStepStartDate') {
      // An order without a date never matches a date range (C.2.2.2.5)
      where.scheduledDate = { not: '', ...(match.from ? { gte: match.from } : {}), ...(match.to ? { lte: match.to } : {}) };
    }
  }
  if (Object.keys(patient).length) where.patient = patient;
  return where;
}
