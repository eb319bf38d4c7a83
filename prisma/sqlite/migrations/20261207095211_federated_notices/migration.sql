-- AlterTable
ALTER TABLE "TransferNotice" ADD COLUMN "peerId" TEXT;
ALTER TABLE "TransferNotice" ADD COLUMN "remoteId" TEXT;

-- AlterTable (a plain ADD COLUMN: SQLite accepts a NOT NULL column with a default)
ALTER TABLE "Job" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "TransferNotice_peerId_remoteId_key" ON "TransferNotice"("peerId", "remoteId");
