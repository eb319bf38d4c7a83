-- CreateTable
CREATE TABLE "TransferNotice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "senderId" TEXT NOT NULL,
    "sendingFacilityId" TEXT NOT NULL,
    "patientRef" TEXT,
    "patientId" TEXT NOT NULL DEFAULT '',
    "patientName" TEXT NOT NULL DEFAULT '',
    "unidentified" BOOLEAN NOT NULL DEFAULT false,
    "targetServiceId" TEXT NOT NULL,
    "targetFacilityId" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "suspectedDiagnosis" TEXT NOT NULL DEFAULT '',
    "findings" TEXT NOT NULL DEFAULT '',
    "vitals" TEXT NOT NULL DEFAULT '{}',
    "onsetAt" DATETIME,
    "onsetIsLastKnownWell" BOOLEAN NOT NULL DEFAULT false,
    "transportMode" TEXT NOT NULL DEFAULT 'GROUND',
    "etaAt" DATETIME NOT NULL,
    "callbackPhone" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'SENT',
    "sentAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstSeenAt" DATETIME,
    "firstSeenById" TEXT,
    "acknowledgedAt" DATETIME,
    "acknowledgedById" TEXT,
    "acceptedAt" DATETIME,
    "acceptedById" TEXT,
    "arrivedAt" DATETIME,
    "arrivedById" TEXT,
    "cancelledAt" DATETIME,
    "cancelledById" TEXT,
    "escalatedAt" DATETIME,
    "alarmSince" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "overrideId" TEXT,
    "clientKey" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TransferStudy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "noticeId" TEXT NOT NULL,
    "studyRef" TEXT,
    "studyFacilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TransferStudy_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TransferEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "noticeId" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "details" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "TransferEvent_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TransferMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "noticeId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TransferMessage_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "transferEscalationMinutes" INTEGER NOT NULL DEFAULT 2,
    "transferAccessHours" INTEGER NOT NULL DEFAULT 24,
    CONSTRAINT "Service_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Service" ("code", "createdAt", "description", "disabledAt", "facilityId", "id", "name", "turnaroundRoutineMinutes", "turnaroundStatMinutes", "turnaroundUrgentMinutes") SELECT "code", "createdAt", "description", "disabledAt", "facilityId", "id", "name", "turnaroundRoutineMinutes", "turnaroundStatMinutes", "turnaroundUrgentMinutes" FROM "Service";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
CREATE UNIQUE INDEX "Service_facilityId_name_key" ON "Service"("facilityId", "name");
CREATE UNIQUE INDEX "Service_facilityId_code_key" ON "Service"("facilityId", "code");
CREATE TABLE "new_ServiceMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "onCall" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ServiceMember_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ServiceMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ServiceMember" ("createdAt", "id", "serviceId", "userId") SELECT "createdAt", "id", "serviceId", "userId" FROM "ServiceMember";
DROP TABLE "ServiceMember";
ALTER TABLE "new_ServiceMember" RENAME TO "ServiceMember";
CREATE INDEX "ServiceMember_userId_idx" ON "ServiceMember"("userId");
CREATE UNIQUE INDEX "ServiceMember_serviceId_userId_key" ON "ServiceMember"("serviceId", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "TransferNotice_targetServiceId_status_idx" ON "TransferNotice"("targetServiceId", "status");

-- CreateIndex
CREATE INDEX "TransferNotice_sendingFacilityId_sentAt_idx" ON "TransferNotice"("sendingFacilityId", "sentAt");

-- CreateIndex
CREATE INDEX "TransferNotice_senderId_status_idx" ON "TransferNotice"("senderId", "status");

-- CreateIndex
CREATE INDEX "TransferNotice_patientRef_idx" ON "TransferNotice"("patientRef");

-- CreateIndex
CREATE UNIQUE INDEX "TransferNotice_senderId_clientKey_key" ON "TransferNotice"("senderId", "clientKey");

-- CreateIndex
CREATE UNIQUE INDEX "TransferStudy_noticeId_studyInstanceUid_key" ON "TransferStudy"("noticeId", "studyInstanceUid");

-- CreateIndex
CREATE INDEX "TransferEvent_noticeId_at_idx" ON "TransferEvent"("noticeId", "at");

-- CreateIndex
CREATE INDEX "TransferMessage_noticeId_createdAt_idx" ON "TransferMessage"("noticeId", "createdAt");

