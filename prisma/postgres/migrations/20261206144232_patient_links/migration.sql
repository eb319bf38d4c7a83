-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL,
    "regionIssuer" TEXT,
    "regionPatientId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PatientLink" (
    "id" TEXT NOT NULL,
    "patientRef" TEXT NOT NULL,
    "personRef" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "linkedById" TEXT,
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unlinkedAt" TIMESTAMP(3),
    "unlinkedById" TEXT,
    "unlinkReason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "PatientLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Person_regionIssuer_regionPatientId_key" ON "Person"("regionIssuer", "regionPatientId");

-- CreateIndex
CREATE INDEX "PatientLink_personRef_idx" ON "PatientLink"("personRef");

-- CreateIndex
CREATE UNIQUE INDEX "PatientLink_patientRef_personRef_key" ON "PatientLink"("patientRef", "personRef");

-- AddForeignKey
ALTER TABLE "PatientLink" ADD CONSTRAINT "PatientLink_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PatientLink" ADD CONSTRAINT "PatientLink_personRef_fkey" FOREIGN KEY ("personRef") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

