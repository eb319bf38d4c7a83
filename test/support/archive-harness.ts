// A real archive (real database, real filesystem store) for tests of pacs-core.
import path from 'node:path';
import { Archive } from '../../pacs-core/archive';
import { FsBlobStore } from '../../pacs-core/store/fs-blob-store';
import { closeIndexConnection, openIndexConnection } from '../../prisma/database';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface ArchiveHarness extends TestDatabase {
  archive: Archive;
  facilityId: string;
  otherFacilityId: string;
}

/** `regionPatientIdIssuer`: as REGION_PATIENT_ID_ISSUER (automatic patient linking) */
export async function createArchiveHarness(options: { regionPatientIdIssuer?: string } = {}): Promise<ArchiveHarness> {
  const testDb = await createTestDatabase();
  const indexConnection = openIndexConnection(testDb.options);
  const archive = new Archive({
    db: testDb.db,
    indexConnection,
    store: new FsBlobStore(path.join(testDb.dataDir, 'store')),
    cacheDir: path.join(testDb.dataDir, 'cache'),
    regionPatientIdIssuer: options.regionPatientIdIssuer,
  });
  const facility = await testDb.db.facility.create({ data: { name: 'Test Hospital', code: 'TEST' } });
  const other = await testDb.db.facility.create({ data: { name: 'Other Clinic', code: 'OTHER' } });
  return {
    ...testDb,
    archive,
    facilityId: facility.id,
    otherFacilityId: other.id,
    async cleanup() {
      await closeIndexConnection(indexConnection);
      await testDb.cleanup();
    },
  };
}
