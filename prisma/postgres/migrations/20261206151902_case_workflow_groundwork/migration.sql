-- AlterTable
ALTER TABLE "Facility" ADD COLUMN     "address" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "phone" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "nodeAdmin" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "actingFacilityId" TEXT;

-- AlterTable
ALTER TABLE "ConsultationExport" ADD COLUMN     "state" TEXT NOT NULL DEFAULT 'DONE';

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "facilityId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 10,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL,
    "regionIssuer" TEXT,
    "regionPatientId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PatientLink" (
    "id" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "personRef" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "linkedById" TEXT,
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unlinkedAt" TIMESTAMP(3),
    "unlinkedById" TEXT,
    "unlinkReason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "PatientLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FacilityLogo" (
    "facilityId" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FacilityLogo_pkey" PRIMARY KEY ("facilityId")
);

-- CreateTable
CREATE TABLE "Service" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Service_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceMember" (
    "id" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceMember_pkey" PRIMARY KEY ("id")
);

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
CREATE INDEX "Job_state_runAt_idx" ON "Job"("state", "runAt");

-- CreateIndex
CREATE INDEX "Job_facilityId_state_idx" ON "Job"("facilityId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Job_type_key_key" ON "Job"("type", "key");

-- CreateIndex
CREATE UNIQUE INDEX "Person_regionIssuer_regionPatientId_key" ON "Person"("regionIssuer", "regionPatientId");

-- CreateIndex
CREATE INDEX "PatientLink_personRef_idx" ON "PatientLink"("personRef");

-- CreateIndex
CREATE UNIQUE INDEX "PatientLink_patientRef_personRef_key" ON "PatientLink"("patientRef", "personRef");

-- CreateIndex
CREATE UNIQUE INDEX "Service_facilityId_name_key" ON "Service"("facilityId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Service_facilityId_code_key" ON "Service"("facilityId", "code");

-- CreateIndex
CREATE INDEX "ServiceMember_userId_idx" ON "ServiceMember"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceMember_serviceId_userId_key" ON "ServiceMember"("serviceId", "userId");

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
ALTER TABLE "PatientLink" ADD CONSTRAINT "PatientLink_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PatientLink" ADD CONSTRAINT "PatientLink_personRef_fkey" FOREIGN KEY ("personRef") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FacilityLogo" ADD CONSTRAINT "FacilityLogo_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceMember" ADD CONSTRAINT "ServiceMember_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceMember" ADD CONSTRAINT "ServiceMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_granteeUserId_fkey" FOREIGN KEY ("granteeUserId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_granteeFacilityId_fkey" FOREIGN KEY ("granteeFacilityId") REFERENCES "Facility"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_granteeServiceId_fkey" FOREIGN KEY ("granteeServiceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE SET NULL ON UPDATE CASCADE;

