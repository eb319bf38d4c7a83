-- AlterTable
ALTER TABLE "Consultation" ADD COLUMN "referralId" TEXT;

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "facilityId" TEXT NOT NULL,
    "patientRef" TEXT,
    "patientId" TEXT NOT NULL DEFAULT '',
    "patientName" TEXT NOT NULL DEFAULT '',
    "requesterId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "priority" TEXT NOT NULL DEFAULT 'ROUTINE',
    "question" TEXT NOT NULL,
    "history" TEXT NOT NULL DEFAULT '',
    "targetUserId" TEXT,
    "targetServiceId" TEXT,
    "targetFacilityId" TEXT NOT NULL,
    "ownerId" TEXT,
    "dueAt" DATETIME,
    "requestedAt" DATETIME,
    "completedAt" DATETIME,
    "closedAt" DATETIME,
    "escalatedAt" DATETIME,
    "reportId" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Referral_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Referral_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Referral_targetUserId_fkey" FOREIGN KEY ("targetUserId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Referral_targetServiceId_fkey" FOREIGN KEY ("targetServiceId") REFERENCES "Service" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferralStudy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referralId" TEXT NOT NULL,
    "studyRef" TEXT,
    "studyFacilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ReferralStudy_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReferralStudy_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferralEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referralId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "ReferralEvent_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferralMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referralId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'NOTE',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReferralMessage_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReferralMessage_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferralAttachment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referralId" TEXT NOT NULL,
    "messageId" TEXT,
    "uploadedById" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "blobKey" TEXT NOT NULL,
    "sopInstanceUid" TEXT,
    "seriesInstanceUid" TEXT,
    "studyInstanceUid" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReferralAttachment_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReferralAttachment_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "ReferralMessage" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferralRead" (
    "referralId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "readAt" DATETIME NOT NULL,

    PRIMARY KEY ("referralId", "userId"),
    CONSTRAINT "ReferralRead_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Service" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "facilityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "turnaroundStatMinutes" INTEGER NOT NULL DEFAULT 60,
    "turnaroundUrgentMinutes" INTEGER NOT NULL DEFAULT 360,
    "turnaroundRoutineMinutes" INTEGER NOT NULL DEFAULT 4320,
    CONSTRAINT "Service_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Service" ("code", "createdAt", "description", "disabledAt", "facilityId", "id", "name") SELECT "code", "createdAt", "description", "disabledAt", "facilityId", "id", "name" FROM "Service";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
CREATE UNIQUE INDEX "Service_facilityId_name_key" ON "Service"("facilityId", "name");
CREATE UNIQUE INDEX "Service_facilityId_code_key" ON "Service"("facilityId", "code");
CREATE TABLE "new_Report" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "studyRef" TEXT,
    "facilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "templateId" TEXT,
    "authorId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "publishedVersion" INTEGER,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "signingToken" TEXT,
    "signingSince" DATETIME,
    "signerRequestedUserId" TEXT,
    "signerRequestedAt" DATETIME,
    "referralId" TEXT,
    "reportKey" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Report_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Report" ("authorId", "createdAt", "currentVersion", "facilityId", "id", "publishedVersion", "revision", "signerRequestedAt", "signerRequestedUserId", "signingSince", "signingToken", "status", "studyInstanceUid", "studyRef", "templateId", "updatedAt") SELECT "authorId", "createdAt", "currentVersion", "facilityId", "id", "publishedVersion", "revision", "signerRequestedAt", "signerRequestedUserId", "signingSince", "signingToken", "status", "studyInstanceUid", "studyRef", "templateId", "updatedAt" FROM "Report";
DROP TABLE "Report";
ALTER TABLE "new_Report" RENAME TO "Report";
CREATE UNIQUE INDEX "Report_referralId_key" ON "Report"("referralId");
CREATE INDEX "Report_studyRef_idx" ON "Report"("studyRef");
CREATE INDEX "Report_facilityId_status_idx" ON "Report"("facilityId", "status");
CREATE INDEX "Report_signerRequestedUserId_idx" ON "Report"("signerRequestedUserId");
CREATE UNIQUE INDEX "Report_facilityId_studyInstanceUid_reportKey_key" ON "Report"("facilityId", "studyInstanceUid", "reportKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Referral_requesterId_status_idx" ON "Referral"("requesterId", "status");

-- CreateIndex
CREATE INDEX "Referral_targetServiceId_status_idx" ON "Referral"("targetServiceId", "status");

-- CreateIndex
CREATE INDEX "Referral_targetUserId_status_idx" ON "Referral"("targetUserId", "status");

-- CreateIndex
CREATE INDEX "Referral_ownerId_status_idx" ON "Referral"("ownerId", "status");

-- CreateIndex
CREATE INDEX "Referral_status_dueAt_idx" ON "Referral"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Referral_facilityId_createdAt_idx" ON "Referral"("facilityId", "createdAt");

-- CreateIndex
CREATE INDEX "ReferralStudy_studyRef_idx" ON "ReferralStudy"("studyRef");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralStudy_referralId_studyFacilityId_studyInstanceUid_key" ON "ReferralStudy"("referralId", "studyFacilityId", "studyInstanceUid");

-- CreateIndex
CREATE INDEX "ReferralEvent_referralId_at_idx" ON "ReferralEvent"("referralId", "at");

-- CreateIndex
CREATE INDEX "ReferralMessage_referralId_createdAt_idx" ON "ReferralMessage"("referralId", "createdAt");

-- CreateIndex
CREATE INDEX "ReferralAttachment_referralId_idx" ON "ReferralAttachment"("referralId");

-- CreateIndex
CREATE INDEX "Consultation_referralId_idx" ON "Consultation"("referralId");

