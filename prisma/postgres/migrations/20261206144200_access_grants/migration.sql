-- CreateTable
CREATE TABLE "AccessGrant" (
    "id" TEXT NOT NULL,
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
    "validFrom" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "validUntil" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,
    "revokeReason" TEXT,
    "sourceType" TEXT,
    "sourceId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessGrant_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_granteeUserId_fkey" FOREIGN KEY ("granteeUserId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_granteeFacilityId_fkey" FOREIGN KEY ("granteeFacilityId") REFERENCES "Facility"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE SET NULL ON UPDATE CASCADE;

