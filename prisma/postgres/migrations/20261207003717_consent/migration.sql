-- AlterTable
ALTER TABLE "Facility" ADD COLUMN     "consentRequiredFor" TEXT NOT NULL DEFAULT '["SECOND_OPINION","TELECONSULTATION","EMERGENCY_CARE","TRANSFER","RESEARCH"]';

-- AlterTable
ALTER TABLE "Consultation" ADD COLUMN     "overrideId" TEXT;

-- AlterTable
ALTER TABLE "AccessGrant" ADD COLUMN     "consentId" TEXT,
ADD COLUMN     "overrideId" TEXT;

-- AlterTable
ALTER TABLE "Referral" ADD COLUMN     "overrideId" TEXT;

-- CreateTable
CREATE TABLE "Consent" (
    "id" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "decision" TEXT NOT NULL,
    "recipientKind" TEXT NOT NULL,
    "recipientFacilityId" TEXT,
    "recipientServiceId" TEXT,
    "recipientUserId" TEXT,
    "purposes" TEXT NOT NULL,
    "dataScope" TEXT NOT NULL DEFAULT 'ALL',
    "studyUids" TEXT NOT NULL DEFAULT '[]',
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validUntil" TIMESTAMP(3),
    "evidenceKind" TEXT NOT NULL,
    "formId" TEXT,
    "signerRole" TEXT NOT NULL DEFAULT 'PATIENT',
    "signerName" TEXT NOT NULL DEFAULT '',
    "representativeRelation" TEXT NOT NULL DEFAULT '',
    "witnessName" TEXT NOT NULL DEFAULT '',
    "note" TEXT NOT NULL DEFAULT '',
    "documentKey" TEXT,
    "documentSha256" TEXT,
    "archivedSopInstanceUid" TEXT,
    "recordedById" TEXT,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,
    "revokeReason" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'PORTAL',
    "uses" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentForm" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "ConsentForm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmergencyOverride" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "actingFacilityId" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "patientFacilityId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL DEFAULT '',
    "patientName" TEXT NOT NULL DEFAULT '',
    "reasonCode" TEXT NOT NULL,
    "reasonText" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endedById" TEXT,
    "stopRecordedAt" TIMESTAMP(3),
    "reviewStatus" TEXT NOT NULL DEFAULT 'PENDING',
    "reviewedById" TEXT,
    "reviewedAt" TIMESTAMP(3),
    "reviewComment" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "EmergencyOverride_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Consent_patientRef_status_idx" ON "Consent"("patientRef", "status");

-- CreateIndex
CREATE INDEX "Consent_facilityId_recordedAt_idx" ON "Consent"("facilityId", "recordedAt");

-- CreateIndex
CREATE INDEX "ConsentForm_facilityId_retiredAt_idx" ON "ConsentForm"("facilityId", "retiredAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentForm_facilityId_key_language_version_key" ON "ConsentForm"("facilityId", "key", "language", "version");

-- CreateIndex
CREATE INDEX "EmergencyOverride_userId_endsAt_idx" ON "EmergencyOverride"("userId", "endsAt");

-- CreateIndex
CREATE INDEX "EmergencyOverride_patientFacilityId_reviewStatus_idx" ON "EmergencyOverride"("patientFacilityId", "reviewStatus");

-- CreateIndex
CREATE INDEX "EmergencyOverride_actingFacilityId_reviewStatus_idx" ON "EmergencyOverride"("actingFacilityId", "reviewStatus");

-- CreateIndex
CREATE INDEX "AccessGrant_consentId_idx" ON "AccessGrant"("consentId");

-- CreateIndex
CREATE INDEX "AccessGrant_overrideId_idx" ON "AccessGrant"("overrideId");

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_formId_fkey" FOREIGN KEY ("formId") REFERENCES "ConsentForm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

