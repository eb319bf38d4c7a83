-- AlterTable
ALTER TABLE "Facility" ADD COLUMN     "nodePeerId" TEXT,
ADD COLUMN     "remoteId" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "nodePeerId" TEXT,
ADD COLUMN     "remoteUserId" TEXT;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "remoteId" TEXT;

-- CreateTable
CREATE TABLE "NodePeer" (
    "id" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "statusBy" TEXT,
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusChangedById" TEXT,
    "keys" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "pairedById" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "facilitiesSyncedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NodePeer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NodePairingCode" (
    "id" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "peerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NodePairingCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NodeRequestNonce" (
    "id" TEXT NOT NULL,
    "peerNodeId" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NodeRequestNonce_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FederatedTransfer" (
    "id" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "peerId" TEXT NOT NULL,
    "transferId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "seriesUids" TEXT NOT NULL DEFAULT '[]',
    "localFacilityId" TEXT NOT NULL,
    "studyRef" TEXT,
    "remoteFacilityId" TEXT NOT NULL,
    "requestedById" TEXT,
    "requestedByName" TEXT NOT NULL DEFAULT '',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "grantId" TEXT,
    "sourceType" TEXT,
    "sourceId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "FederatedTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "NodePeer_nodeId_key" ON "NodePeer"("nodeId");

-- CreateIndex
CREATE UNIQUE INDEX "NodePairingCode_secretHash_key" ON "NodePairingCode"("secretHash");

-- CreateIndex
CREATE INDEX "NodeRequestNonce_expiresAt_idx" ON "NodeRequestNonce"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "NodeRequestNonce_peerNodeId_jti_key" ON "NodeRequestNonce"("peerNodeId", "jti");

-- CreateIndex
CREATE INDEX "FederatedTransfer_localFacilityId_createdAt_idx" ON "FederatedTransfer"("localFacilityId", "createdAt");

-- CreateIndex
CREATE INDEX "FederatedTransfer_status_priority_idx" ON "FederatedTransfer"("status", "priority");

-- CreateIndex
CREATE UNIQUE INDEX "FederatedTransfer_peerId_direction_transferId_key" ON "FederatedTransfer"("peerId", "direction", "transferId");

-- CreateIndex
CREATE UNIQUE INDEX "Facility_nodePeerId_remoteId_key" ON "Facility"("nodePeerId", "remoteId");

-- CreateIndex
CREATE UNIQUE INDEX "User_nodePeerId_remoteUserId_key" ON "User"("nodePeerId", "remoteUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Service_facilityId_remoteId_key" ON "Service"("facilityId", "remoteId");

