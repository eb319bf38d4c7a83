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

-- CreateIndex
CREATE UNIQUE INDEX "Person_regionIssuer_regionPatientId_key" ON "Person"("regionIssuer", "regionPatientId");

-- CreateIndex
CREATE INDEX "PatientLink_personRef_idx" ON "PatientLink"("personRef");

-- CreateIndex
CREATE UNIQUE INDEX "PatientLink_patientRef_personRef_key" ON "PatientLink"("patientRef", "personRef");

