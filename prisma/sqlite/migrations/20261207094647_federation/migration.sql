-- AlterTable
ALTER TABLE "Facility" ADD COLUMN "nodePeerId" TEXT;
ALTER TABLE "Facility" ADD COLUMN "remoteId" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "nodePeerId" TEXT;
ALTER TABLE "User" ADD COLUMN "remoteUserId" TEXT;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN "remoteId" TEXT;

-- CreateTable
CREATE TABLE "NodePeer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "nodeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "statusBy" TEXT,
    "statusChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusChangedById" TEXT,
    "keys" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "pairedById" TEXT,
    "lastSeenAt" DATETIME,
    "facilitiesSyncedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NodePairingCode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "secretHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "peerId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "NodeRequestNonce" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "peerNodeId" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FederatedTransfer" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
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

