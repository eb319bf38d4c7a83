-- CreateTable
CREATE TABLE "ReportTemplate" (
    "id" TEXT NOT NULL,
    "facilityId" TEXT,
    "defaultKey" TEXT,
    "name" TEXT NOT NULL,
    "modality" TEXT NOT NULL DEFAULT '',
    "bodyRegion" TEXT NOT NULL DEFAULT '',
    "sections" TEXT NOT NULL,
    "retiredAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReportTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" TEXT NOT NULL,
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
    "signingSince" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportVersion" (
    "id" TEXT NOT NULL,
    "reportId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'ORIGINAL',
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "authorId" TEXT NOT NULL,
    "sections" TEXT NOT NULL,
    "comparisonStudyUid" TEXT,
    "keyImages" TEXT NOT NULL DEFAULT '[]',
    "reason" TEXT,
    "savedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedById" TEXT,
    "signedAt" TIMESTAMP(3),
    "contentSha256" TEXT,
    "artifacts" TEXT,
    "supersededAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReportTemplate_defaultKey_key" ON "ReportTemplate"("defaultKey");

-- CreateIndex
CREATE INDEX "ReportTemplate_facilityId_idx" ON "ReportTemplate"("facilityId");

-- CreateIndex
CREATE INDEX "Report_studyRef_idx" ON "Report"("studyRef");

-- CreateIndex
CREATE INDEX "Report_facilityId_status_idx" ON "Report"("facilityId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Report_facilityId_studyInstanceUid_key" ON "Report"("facilityId", "studyInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "ReportVersion_reportId_version_key" ON "ReportVersion"("reportId", "version");

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportVersion" ADD CONSTRAINT "ReportVersion_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE CASCADE ON UPDATE CASCADE;

