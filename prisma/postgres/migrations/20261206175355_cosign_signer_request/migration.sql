-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "signerRequestedAt" TIMESTAMP(3),
ADD COLUMN     "signerRequestedUserId" TEXT;

-- CreateIndex
CREATE INDEX "Report_signerRequestedUserId_idx" ON "Report"("signerRequestedUserId");

