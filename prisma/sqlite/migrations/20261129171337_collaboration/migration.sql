-- CreateTable
CREATE TABLE "ConsultationAnnotation" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "ConsultationAnnotation_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConsultationAnnotation_authorUserId_fkey" FOREIGN KEY ("authorUserId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsultationGuestLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "consultationId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestEmail" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "revokedAt" DATETIME,
    "guestUserId" TEXT,
    CONSTRAINT "ConsultationGuestLink_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsultationExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "consultationId" TEXT NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "seriesInstanceUid" TEXT NOT NULL,
    "annotationCount" INTEGER NOT NULL,
    "exportedById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConsultationExport_consultationId_fkey" FOREIGN KEY ("consultationId") REFERENCES "Consultation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable
-- Written by hand instead of Prisma's table redefinition: the migrator runs each
-- migration in a transaction, where PRAGMA foreign_keys cannot be switched off,
-- so DROP TABLE "User" would cascade-delete every session and membership.
ALTER TABLE "User" ADD COLUMN "guest" BOOLEAN NOT NULL DEFAULT false;

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

