-- AlterTable
ALTER TABLE "Referral" ADD COLUMN "peerId" TEXT;
ALTER TABLE "Referral" ADD COLUMN "remoteId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Referral_peerId_remoteId_key" ON "Referral"("peerId", "remoteId");

