-- AlterTable
ALTER TABLE "Patient" ADD COLUMN     "demographicsAt" TIMESTAMP(3),
ADD COLUMN     "demographicsSource" TEXT NOT NULL DEFAULT 'IMAGES',
ADD COLUMN     "mergedIntoRef" TEXT;

-- CreateTable
CREATE TABLE "Hl7Sender" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "application" TEXT NOT NULL,
    "sendingFacility" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Hl7Sender_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Hl7Destination" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "receivingApplication" TEXT NOT NULL DEFAULT '',
    "receivingFacility" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Hl7Destination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Hl7Message" (
    "id" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "facilityId" TEXT,
    "sendingApplication" TEXT NOT NULL DEFAULT '',
    "sendingFacility" TEXT NOT NULL DEFAULT '',
    "messageType" TEXT NOT NULL DEFAULT '',
    "controlId" TEXT NOT NULL DEFAULT '',
    "version" TEXT NOT NULL DEFAULT '',
    "raw" TEXT NOT NULL,
    "remoteAddress" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'RECEIVED',
    "ackCode" TEXT NOT NULL DEFAULT '',
    "ackText" TEXT NOT NULL DEFAULT '',
    "ack" TEXT NOT NULL DEFAULT '',
    "error" TEXT NOT NULL DEFAULT '',
    "patientRef" TEXT,
    "orderRef" TEXT,
    "reportVersionRef" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "Hl7Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImagingOrder" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "placerOrderNumber" TEXT NOT NULL DEFAULT '',
    "fillerOrderNumber" TEXT NOT NULL DEFAULT '',
    "accessionNumber" TEXT NOT NULL,
    "requestedProcedureId" TEXT NOT NULL DEFAULT '',
    "requestedProcedureCode" TEXT NOT NULL DEFAULT '',
    "requestedProcedureScheme" TEXT NOT NULL DEFAULT '',
    "requestedProcedureText" TEXT NOT NULL DEFAULT '',
    "studyInstanceUid" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "stepDescription" TEXT NOT NULL DEFAULT '',
    "modality" TEXT NOT NULL DEFAULT '',
    "stationAet" TEXT NOT NULL DEFAULT '',
    "stationName" TEXT NOT NULL DEFAULT '',
    "scheduledDate" TEXT NOT NULL DEFAULT '',
    "scheduledTime" TEXT NOT NULL DEFAULT '',
    "priority" TEXT NOT NULL DEFAULT 'ROUTINE',
    "referringPhysician" TEXT NOT NULL DEFAULT '',
    "requestingPhysician" TEXT NOT NULL DEFAULT '',
    "reasonForStudy" TEXT NOT NULL DEFAULT '',
    "bodyPart" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'SCHEDULED',
    "studyRef" TEXT,
    "imagesReceivedAt" TIMESTAMP(3),
    "instancesReceived" INTEGER NOT NULL DEFAULT 0,
    "prefetchedStudies" INTEGER NOT NULL DEFAULT 0,
    "messageRef" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ImagingOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PatientMerge" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT NOT NULL,
    "survivingRef" TEXT NOT NULL,
    "mergedRef" TEXT NOT NULL,
    "mergedPatientId" TEXT NOT NULL,
    "mergedIssuer" TEXT NOT NULL DEFAULT '',
    "mergedName" TEXT NOT NULL DEFAULT '',
    "studiesMoved" INTEGER NOT NULL DEFAULT 0,
    "ordersMoved" INTEGER NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL,
    "messageRef" TEXT,
    "byUserId" TEXT,
    "mergedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PatientMerge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Hl7Sender_facilityId_idx" ON "Hl7Sender"("facilityId");

-- CreateIndex
CREATE UNIQUE INDEX "Hl7Sender_application_sendingFacility_key" ON "Hl7Sender"("application", "sendingFacility");

-- CreateIndex
CREATE UNIQUE INDEX "Hl7Destination_facilityId_key" ON "Hl7Destination"("facilityId");

-- CreateIndex
CREATE INDEX "Hl7Message_facilityId_receivedAt_idx" ON "Hl7Message"("facilityId", "receivedAt");

-- CreateIndex
CREATE INDEX "Hl7Message_facilityId_sendingApplication_controlId_idx" ON "Hl7Message"("facilityId", "sendingApplication", "controlId");

-- CreateIndex
CREATE INDEX "Hl7Message_status_receivedAt_idx" ON "Hl7Message"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "ImagingOrder_facilityId_status_scheduledDate_idx" ON "ImagingOrder"("facilityId", "status", "scheduledDate");

-- CreateIndex
CREATE INDEX "ImagingOrder_facilityId_accessionNumber_idx" ON "ImagingOrder"("facilityId", "accessionNumber");

-- CreateIndex
CREATE INDEX "ImagingOrder_facilityId_studyInstanceUid_idx" ON "ImagingOrder"("facilityId", "studyInstanceUid");

-- CreateIndex
CREATE INDEX "ImagingOrder_patientRef_idx" ON "ImagingOrder"("patientRef");

-- CreateIndex
CREATE UNIQUE INDEX "ImagingOrder_facilityId_placerOrderNumber_fillerOrderNumber_key" ON "ImagingOrder"("facilityId", "placerOrderNumber", "fillerOrderNumber", "stepId");

-- CreateIndex
CREATE INDEX "PatientMerge_survivingRef_mergedAt_idx" ON "PatientMerge"("survivingRef", "mergedAt");

-- CreateIndex
CREATE INDEX "PatientMerge_facilityId_mergedAt_idx" ON "PatientMerge"("facilityId", "mergedAt");

-- AddForeignKey
ALTER TABLE "Hl7Sender" ADD CONSTRAINT "Hl7Sender_facilityId_fkey" FOREIGN KEY ("facilityId") REFERENCES "Facility"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImagingOrder" ADD CONSTRAINT "ImagingOrder_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

