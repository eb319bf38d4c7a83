-- DropIndex
DROP INDEX "Report_facilityId_studyInstanceUid_key";

-- AlterTable
ALTER TABLE "Consultation" ADD COLUMN     "referralId" TEXT;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "turnaroundRoutineMinutes" INTEGER NOT NULL DEFAULT 4320,
ADD COLUMN     "turnaroundStatMinutes" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "turnaroundUrgentMinutes" INTEGER NOT NULL DEFAULT 360;

-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "referralId" TEXT,
ADD COLUMN     "reportKey" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL,
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
    "dueAt" TIMESTAMP(3),
    "requestedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "escalatedAt" TIMESTAMP(3),
    "reportId" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralStudy" (
    "id" TEXT NOT NULL,
    "referralId" TEXT NOT NULL,
    "studyRef" TEXT,
    "studyFacilityId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ReferralStudy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralEvent" (
    "id" TEXT NOT NULL,
    "referralId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "ReferralEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralMessage" (
    "id" TEXT NOT NULL,
    "referralId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'NOTE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferralMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralAttachment" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferralAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralRead" (
    "referralId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "readAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReferralRead_pkey" PRIMARY KEY ("referralId","userId")
);

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

-- CreateIndex
CREATE UNIQUE INDEX "Report_referralId_key" ON "Report"("referralId");

-- CreateIndex
CREATE UNIQUE INDEX "Report_facilityId_studyInstanceUid_reportKey_key" ON "Report"("facilityId", "studyInstanceUid", "reportKey");

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_targetUserId_fkey" FOREIGN KEY ("targetUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_targetServiceId_fkey" FOREIGN KEY ("targetServiceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralStudy" ADD CONSTRAINT "ReferralStudy_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralStudy" ADD CONSTRAINT "ReferralStudy_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralEvent" ADD CONSTRAINT "ReferralEvent_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralMessage" ADD CONSTRAINT "ReferralMessage_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralMessage" ADD CONSTRAINT "ReferralMessage_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralAttachment" ADD CONSTRAINT "ReferralAttachment_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralAttachment" ADD CONSTRAINT "ReferralAttachment_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "ReferralMessage"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferralRead" ADD CONSTRAINT "ReferralRead_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE;

