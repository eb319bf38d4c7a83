-- CreateTable
CREATE TABLE "AccessGrant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "granteeUserId" TEXT,
    "granteeServiceId" TEXT,
    "granteeFacilityId" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'STUDY',
    "studyRef" TEXT,
    "studyFacilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "patientRef" TEXT,
    "purpose" TEXT NOT NULL,
    "legalBasis" TEXT,
    "grantedById" TEXT,
    "validFrom" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "validUntil" DATETIME,
    "revokedAt" DATETIME,
    "revokedById" TEXT,
    "revokeReason" TEXT,
    "sourceType" TEXT,
    "sourceId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AccessGrant_granteeUserId_fkey" FOREIGN KEY ("granteeUserId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessGrant_granteeFacilityId_fkey" FOREIGN KEY ("granteeFacilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessGrant_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AccessGrant_studyRef_idx" ON "AccessGrant"("studyRef");

-- CreateIndex
CREATE INDEX "AccessGrant_granteeUserId_revokedAt_idx" ON "AccessGrant"("granteeUserId", "revokedAt");

-- CreateIndex
CREATE INDEX "AccessGrant_granteeServiceId_revokedAt_idx" ON "AccessGrant"("granteeServiceId", "revokedAt");

-- CreateIndex
CREATE INDEX "AccessGrant_granteeFacilityId_revokedAt_idx" ON "AccessGrant"("granteeFacilityId", "revokedAt");

-- CreateIndex
CREATE INDEX "AccessGrant_sourceType_sourceId_idx" ON "AccessGrant"("sourceType", "sourceId");

