// C-FIND matching (PS3.4 C.4.1): the identifier becomes the index's query
// model and runs through findStudies/findSeries/findInstances — the same SQL
// QIDO-RS uses — page by page, so a large answer never sits in memory whole
// and a C-CANCEL takes effect between pages.
import type { Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { findInstances, findSeries, findStudies, type FindOptions, type SearchResult } from '../index';
import type { IndexQuery } from '../index';
import type { QueryRoot } from './constants';
import {
  addReturnKey,
  buildIndexQuery,
  identifierKeys,
  naturalize,
  PATIENT_COMPUTED_TAGS,
  retrieveLevelOf,
  type NaturalizedDataset,
  type RetrieveLevel,
} from './identifier';

/** Matches fetched per index query: small enough to stream, large enough to be cheap. */
const PAGE_SIZE = 200;

// PS3.4 C.4.1.1.3.2: a C-FIND returns only the keys it was sent, not QIDO's defaults
const FIND_OPTIONS: FindOptions = { includeDefaults: false, maxResults: PAGE_SIZE };

export interface FindPlan {
  level: RetrieveLevel;
  /** One response identifier per match */
  matches: AsyncGenerator<NaturalizedDataset>;
}

/**
 * Plans a C-FIND: validates the level and keys now (throws BAD_REQUEST), then
 * yields each match as a response identifier with QueryRetrieveLevel,
 * SpecificCharacterSet ISO_IR 192 (results are UTF-8 whatever was stored) and,
 * when asked, RetrieveAETitle.
 */
export function planFind(db: Database, root: QueryRoot, identifier: NaturalizedDataset, scope: AccessScope, ourAeTitle: string): FindPlan {
  const level = retrieveLevelOf(identifier, root);
  const { keys, wantsRetrieveAeTitle } = identifierKeys(identifier);
  // Validate every key before the first response (a bad key fails the whole request)
  buildIndexQuery(level, keys, { limit: PAGE_SIZE, offset: 0 });

  const finish = (json: DicomJsonDataset): NaturalizedDataset => {
    const out = naturalize(json);
    // PS3.4 C.4.1.1.3.2: each response carries the level; results are UTF-8 (PS3.5 6.1.2.3)
    out.SpecificCharacterSet = 'ISO_IR 192';
    out.QueryRetrieveLevel = level;
    if (wantsRetrieveAeTitle) out.RetrieveAETitle = ourAeTitle;
    return out;
  };

  async function* pages(search: (query: IndexQuery) => Promise<SearchResult>, query: (offset: number) => IndexQuery): AsyncGenerator<DicomJsonDataset> {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const result = await search(query(offset));
      yield* result.matches;
      if (result.matches.length < PAGE_SIZE) return;
    }
  }

  async function* matches(): AsyncGenerator<NaturalizedDataset> {
    const queryAt = (offset: number) => buildIndexQuery(level, keys, { limit: PAGE_SIZE, offset });
    if (level === 'STUDY') {
      for await (const json of pages((q) => findStudies(db, q, scope, FIND_OPTIONS), queryAt)) yield finish(json);
    } else if (level === 'SERIES') {
      for await (const json of pages((q) => findSeries(db, q, scope, FIND_OPTIONS), queryAt)) yield finish(json);
    } else if (level === 'IMAGE') {
      for await (const json of pages((q) => findInstances(db, q, scope, FIND_OPTIONS), queryAt)) yield finish(json);
    } else {
      for (const patient of await findPatients(db, keys, scope)) yield finish(patient);
    }
  }

  return { level, matches: matches() };
}

/**
 * PATIENT level (Patient Root, PS3.4 C.6.1.1.2): the index keeps patient
 * attributes with each study, so patients are the distinct (PatientID,
 * Issuer) of the matching studies, with their related-study/series/instance
 * counts summed from the study rows.
 */
async function findPatients(db: Database, keys: ReturnType<typeof identifierKeys>['keys'], scope: AccessScope): Promise<DicomJsonDataset[]> {
  const patients = new Map<string, { out: DicomJsonDataset; studies: number; series: number; instances: number }>();
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const query = buildIndexQuery('PATIENT', keys, { limit: PAGE_SIZE, offset });
    query.level = 'study';
    for (const keyword of ['PatientID', 'IssuerOfPatientID', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances']) addReturnKey(query, keyword);
    const result = await findStudies(db, query, scope, FIND_OPTIONS);
    for (const study of result.matches) {
      const id = `${textOf(study['00100020'])}\u0000${textOf(study['00100021'])}`;
      let patient = patients.get(id);
      if (!patient) {
        const out: DicomJsonDataset = {};
        for (const tag of keys.keys()) if (study[tag]) out[tag] = study[tag];
        patient = { out, studies: 0, series: 0, instances: 0 };
        patients.set(id, patient);
      }
      patient.studies += 1;
      patient.series += Number(study['00201206']?.Value?.[0] ?? 0);
      patient.instances += Number(study['00201208']?.Value?.[0] ?? 0);
    }
    if (result.matches.length < PAGE_SIZE) break;
  }
  return [...patients.values()].map(({ out, studies, series, instances }) => {
    const counts: [string, number][] = [
      [PATIENT_COMPUTED_TAGS.numberOfPatientRelatedStudies, studies],
      [PATIENT_COMPUTED_TAGS.numberOfPatientRelatedSeries, series],
      [PATIENT_COMPUTED_TAGS.numberOfPatientRelatedInstances, instances],
    ];
    for (const [tag, count] of counts) if (keys.has(tag)) out[tag] = { vr: 'IS', Value: [count] };
    return out;
  });
}

function textOf(element: DicomJsonDataset[string] | undefined): string {
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value : '';
}
