-- AlterTable
ALTER TABLE "User" ADD COLUMN     "guest" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ConsultationAnnotation" (
    "id" TEXT NOT NULL,
    "consultationId" TEXT NOT NULL,
    "authorUserId" TEXT NOT NULL,
    "toolName" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "seriesInstanceUid" TEXT NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "frameNumber" INTEGER NOT NULL DEFAULT 1,
    "frameOfReferenceUid" TEXT NOT NULL DEFAULT '',
    "geometry" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "ConsultationAnnotation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsultationGuestLink" (
    "id" TEXT NOT NULL,
    "consultationId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestEmail" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "guestUserId" TEXT,

    CONSTRAINT "ConsultationGuestLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsultationExport" (
    "id" TEXT NOT NULL,
    "consultationId" TEXT NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "seriesInstanceUid" TEXT NOT NULL,
    "annotationCount" INTEGER NOT NULL,
    "exportedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsultationExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsultationAnnotation_consultationId_idx" ON "ConsultationAnnotation"("consultationId");

-- CreateIndex
CREATE INDEX "ConsultationAnnotation_studyInstanceUid_idx" ON "ConsultationAnnotation"("studyInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "ConsultationGuestLink_tokenHash_key" ON "ConsultationGuestLink"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "ConsultationGuestLink_guestUserId_key" ON "ConsultationGuestLink"("guestUserId");

-- CreateIndex
CREATE INDEX "ConsultationGuestLink_consultationId_idx" ON "ConsultationGuestLink"("consultationId");

-- CreateIndex
CREATE INDEX "ConsultationExport_consultationId_idx" ON "ConsultationExport"("consultationId");

-- AddForeignKey
ALTER TABLE "ConsultationAnnotation" ADD CONSTRAINT "ConsultationAnnotation_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsultationAnnotation" ADD CONSTRAINT "ConsultationAnnotation_authorUserId_fkey" FOREIGN KEY ("authorUserId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsultationGuestLink" ADD CONSTRAINT "ConsultationGuestLink_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsultationExport" ADD CONSTRAINT "ConsultationExport_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

