-- AlterTable
ALTER TABLE "Report" ADD COLUMN "signerRequestedAt" DATETIME;
ALTER TABLE "Report" ADD COLUMN "signerRequestedUserId" TEXT;

-- CreateIndex
CREATE INDEX "Report_signerRequestedUserId_idx" ON "Report"("signerRequestedUserId");

