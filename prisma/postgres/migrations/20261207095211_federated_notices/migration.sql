-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "TransferNotice" ADD COLUMN     "peerId" TEXT,
ADD COLUMN     "remoteId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "TransferNotice_peerId_remoteId_key" ON "TransferNotice"("peerId", "remoteId");

