-- AlterTable
ALTER TABLE "DicomPeer" ADD COLUMN     "anyAddress" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "requireClientCertificate" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "tls" BOOLEAN NOT NULL DEFAULT false;

