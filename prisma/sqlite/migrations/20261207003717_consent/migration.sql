-- AlterTable
ALTER TABLE "Consultation" ADD COLUMN "overrideId" TEXT;

-- AlterTable
ALTER TABLE "AccessGrant" ADD COLUMN "consentId" TEXT;
ALTER TABLE "AccessGrant" ADD COLUMN "overrideId" TEXT;

-- AlterTable
ALTER TABLE "Referral" ADD COLUMN "overrideId" TEXT;

-- CreateTable
CREATE TABLE "Consent" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "validFrom" DATETIME NOT NULL,
    "validUntil" DATETIME,
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
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "revokedById" TEXT,
    "revokeReason" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'PORTAL',
    "uses" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Consent_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Consent_formId_fkey" FOREIGN KEY ("formId") REFERENCES "ConsentForm" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsentForm" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "facilityId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME
);

-- CreateTable
CREATE TABLE "EmergencyOverride" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "actingFacilityId" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "patientFacilityId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL DEFAULT '',
    "patientName" TEXT NOT NULL DEFAULT '',
    "reasonCode" TEXT NOT NULL,
    "reasonText" TEXT NOT NULL DEFAULT '',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "endedById" TEXT,
    "stopRecordedAt" DATETIME,
    "reviewStatus" TEXT NOT NULL DEFAULT 'PENDING',
    "reviewedById" TEXT,
    "reviewedAt" DATETIME,
    "reviewComment" TEXT NOT NULL DEFAULT ''
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Facility" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secondFactorPolicy" TEXT NOT NULL DEFAULT 'NONE',
    "address" TEXT NOT NULL DEFAULT '',
    "phone" TEXT NOT NULL DEFAULT '',
    "disabledAt" DATETIME,
    "reportLanguage" TEXT NOT NULL DEFAULT 'en',
    "consentRequiredFor" TEXT NOT NULL DEFAULT '["SECOND_OPINION","TELECONSULTATION","EMERGENCY_CARE","TRANSFER","RESEARCH"]'
);
INSERT INTO "new_Facility" ("address", "code", "createdAt", "disabledAt", "id", "name", "phone", "reportLanguage", "secondFactorPolicy") SELECT "address", "code", "createdAt", "disabledAt", "id", "name", "phone", "reportLanguage", "secondFactorPolicy" FROM "Facility";
DROP TABLE "Facility";
ALTER TABLE "new_Facility" RENAME TO "Facility";
CREATE UNIQUE INDEX "Facility_code_key" ON "Facility"("code");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

