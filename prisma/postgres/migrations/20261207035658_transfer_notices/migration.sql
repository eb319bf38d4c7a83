-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "transferAccessHours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "transferEscalationMinutes" INTEGER NOT NULL DEFAULT 2;

-- AlterTable
ALTER TABLE "ServiceMember" ADD COLUMN     "onCall" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "TransferNotice" (
    "id" TEXT NOT NULL,
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
    "onsetAt" TIMESTAMP(3),
    "onsetIsLastKnownWell" BOOLEAN NOT NULL DEFAULT false,
    "transportMode" TEXT NOT NULL DEFAULT 'GROUND',
    "etaAt" TIMESTAMP(3) NOT NULL,
    "callbackPhone" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'SENT',
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstSeenAt" TIMESTAMP(3),
    "firstSeenById" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedById" TEXT,
    "acceptedAt" TIMESTAMP(3),
    "acceptedById" TEXT,
    "arrivedAt" TIMESTAMP(3),
    "arrivedById" TEXT,
    "cancelledAt" TIMESTAMP(3),
    "cancelledById" TEXT,
    "escalatedAt" TIMESTAMP(3),
    "alarmSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "overrideId" TEXT,
    "clientKey" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TransferNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TransferStudy" (
    "id" TEXT NOT NULL,
    "noticeId" TEXT NOT NULL,
    "studyRef" TEXT,
    "studyFacilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TransferStudy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TransferEvent" (
    "id" TEXT NOT NULL,
    "noticeId" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "TransferEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TransferMessage" (
    "id" TEXT NOT NULL,
    "noticeId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TransferMessage_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "TransferStudy" ADD CONSTRAINT "TransferStudy_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TransferEvent" ADD CONSTRAINT "TransferEvent_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TransferMessage" ADD CONSTRAINT "TransferMessage_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "TransferNotice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

