-- AlterTable
ALTER TABLE "ConsultationGuestLink" ADD COLUMN     "nodeFacilityId" TEXT;

