-- DropIndex
DROP INDEX "Study_studyInstanceUid_key";

-- DropIndex
DROP INDEX "Series_seriesInstanceUid_key";

-- DropIndex
DROP INDEX "Series_studyRef_idx";

-- DropIndex
DROP INDEX "Instance_sopInstanceUid_key";

-- DropIndex
DROP INDEX "Instance_blobKey_key";

-- CreateIndex
CREATE INDEX "Study_studyInstanceUid_idx" ON "Study"("studyInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "Study_facilityId_studyInstanceUid_key" ON "Study"("facilityId", "studyInstanceUid");

-- CreateIndex
CREATE INDEX "Series_seriesInstanceUid_idx" ON "Series"("seriesInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "Series_studyRef_seriesInstanceUid_key" ON "Series"("studyRef", "seriesInstanceUid");

-- CreateIndex
CREATE INDEX "Instance_sopInstanceUid_idx" ON "Instance"("sopInstanceUid");

-- CreateIndex
CREATE INDEX "Instance_blobKey_idx" ON "Instance"("blobKey");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_seriesRef_sopInstanceUid_key" ON "Instance"("seriesRef", "sopInstanceUid");

