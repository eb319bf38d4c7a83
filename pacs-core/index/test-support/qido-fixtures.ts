// A small archive of real DICOM files, ingested through archive.ingest (the one
// ingest path), for the search tests: names with accents and ideographic
// groups, several dates and modalities, and a study in another facility.
import { makeStudy, type FixtureStudy, type StudyOptions } from '../../../test/support/fixtures';
import { createArchiveHarness, type ArchiveHarness } from '../../../test/support/archive-harness';

export interface SearchFixtures extends ArchiveHarness {
  /** by short name: mueller, yamada, smith, smithson, hidden */
  studies: Record<FixtureName, FixtureStudy>;
}

export type FixtureName = 'mueller' | 'yamada' | 'smith' | 'smithson' | 'hidden';

const STUDIES: Record<FixtureName, StudyOptions & { otherFacility?: boolean }> = {
  mueller: {
    patientName: 'Müller^Hans',
    patientId: 'P-001',
    patientBirthDate: '19800315',
    patientSex: 'M',
    studyDate: '20240110',
    studyTime: '093000',
    accessionNumber: 'ACC-1001',
    studyDescription: 'CT Chest with contrast',
    referringPhysicianName: 'Referrer^Rita',
    series: 2,
    instancesPerSeries: 2,
    seriesModalities: ['CT', 'SR'],
    specificCharacterSet: 'ISO_IR 192',
  },
  yamada: {
    patientName: 'Yamada^Taro=山田^太郎=やまだ^たろう',
    patientId: 'P-002',
    patientBirthDate: '19551201',
    patientSex: 'M',
    studyDate: '20231105',
    studyTime: '140000',
    accessionNumber: 'ACC-1002',
    studyDescription: 'MR Brain',
    referringPhysicianName: 'Tanaka^Ken',
    modality: 'MR',
    series: 1,
    instancesPerSeries: 1,
    specificCharacterSet: 'ISO_IR 192',
  },
  smith: {
    patientName: 'Smith^Jane',
    patientId: 'P-003',
    patientBirthDate: '20100620',
    patientSex: 'F',
    studyDate: '20240110',
    studyTime: '153000',
    accessionNumber: 'ACC-1003',
    studyDescription: 'US Abdomen',
    referringPhysicianName: 'Referrer^Rita',
    modality: 'US',
    series: 1,
    instancesPerSeries: 3,
  },
  smithson: {
    patientName: 'Smithson^John',
    patientId: 'p-004',
    patientBirthDate: '19700101',
    patientSex: 'M',
    studyDate: '20220301',
    studyTime: '080000',
    accessionNumber: 'ACC-1004',
    studyDescription: 'CT Head',
    referringPhysicianName: 'Other^Olga',
    modality: 'CT',
    series: 1,
    instancesPerSeries: 1,
  },
  hidden: {
    patientName: 'Hidden^Person',
    patientId: 'P-005',
    patientBirthDate: '19900101',
    studyDate: '20240201',
    studyTime: '120000',
    accessionNumber: 'ACC-2001',
    studyDescription: 'CT Chest',
    referringPhysicianName: 'Other^Olga',
    modality: 'CT',
    series: 1,
    instancesPerSeries: 1,
    otherFacility: true,
  },
};

/** Ages in PatientAge tests are computed from this day. */
export const FIXTURE_TODAY = new Date(Date.UTC(2025, 0, 1));

export async function createSearchFixtures(): Promise<SearchFixtures> {
  const harness = await createArchiveHarness();
  const studies = {} as Record<FixtureName, FixtureStudy>;
  for (const [name, { otherFacility, ...options }] of Object.entries(STUDIES) as [FixtureName, (typeof STUDIES)[FixtureName]][]) {
    const files = makeStudy(options);
    for (const file of files) {
      await harness.archive.ingest(file, { kind: 'import', source: 'qido-test' }, otherFacility ? harness.otherFacilityId : harness.facilityId);
    }
    studies[name] = files;
  }
  return { ...harness, studies };
}
