-- AlterTable
ALTER TABLE "Session" ADD COLUMN "actingFacilityId" TEXT;

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "facilityId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 10,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "regionIssuer" TEXT,
    "regionPatientId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PatientLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "patientRef" TEXT NOT NULL,
    "personRef" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "linkedById" TEXT,
    "linkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unlinkedAt" DATETIME,
    "unlinkedById" TEXT,
    "unlinkReason" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "PatientLink_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PatientLink_personRef_fkey" FOREIGN KEY ("personRef") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FacilityLogo" (
    "facilityId" TEXT NOT NULL PRIMARY KEY,
    "mimeType" TEXT NOT NULL,
    "bytes" BLOB NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FacilityLogo_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Service" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "facilityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Service_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ServiceMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ServiceMember_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ServiceMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

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
    CONSTRAINT "AccessGrant_granteeServiceId_fkey" FOREIGN KEY ("granteeServiceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessGrant_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study" ("id") ON DELETE SET NULL ON UPDATE CASCADE
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
    "disabledAt" DATETIME
);
INSERT INTO "new_Facility" ("code", "createdAt", "id", "name", "secondFactorPolicy") SELECT "code", "createdAt", "id", "name", "secondFactorPolicy" FROM "Facility";
DROP TABLE "Facility";
ALTER TABLE "new_Facility" RENAME TO "Facility";
CREATE UNIQUE INDEX "Facility_code_key" ON "Facility"("code");
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "guest" BOOLEAN NOT NULL DEFAULT false,
    "nodeAdmin" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_User" ("createdAt", "disabled", "email", "guest", "id", "name", "passwordHash", "updatedAt") SELECT "createdAt", "disabled", "email", "guest", "id", "name", "passwordHash", "updatedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "new_ConsultationExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "consultationId" TEXT NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "seriesInstanceUid" TEXT NOT NULL,
    "annotationCount" INTEGER NOT NULL,
    "exportedById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL DEFAULT 'DONE',
    CONSTRAINT "ConsultationExport_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ConsultationExport" ("annotationCount", "consultationId", "createdAt", "exportedById", "id", "seriesInstanceUid", "sopInstanceUid") SELECT "annotationCount", "consultationId", "createdAt", "exportedById", "id", "seriesInstanceUid", "sopInstanceUid" FROM "ConsultationExport";
DROP TABLE "ConsultationExport";
ALTER TABLE "new_ConsultationExport" RENAME TO "ConsultationExport";
CREATE INDEX "ConsultationExport_consultationId_idx" ON "ConsultationExport"("consultationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

