-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DicomPeer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "facilityId" TEXT NOT NULL,
    "aet" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "anyAddress" BOOLEAN NOT NULL DEFAULT false,
    "tls" BOOLEAN NOT NULL DEFAULT false,
    "requireClientCertificate" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DicomPeer_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DicomPeer" ("aet", "createdAt", "description", "facilityId", "host", "id", "port") SELECT "aet", "createdAt", "description", "facilityId", "host", "id", "port" FROM "DicomPeer";
DROP TABLE "DicomPeer";
ALTER TABLE "new_DicomPeer" RENAME TO "DicomPeer";
CREATE UNIQUE INDEX "DicomPeer_aet_key" ON "DicomPeer"("aet");
CREATE INDEX "DicomPeer_facilityId_idx" ON "DicomPeer"("facilityId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

