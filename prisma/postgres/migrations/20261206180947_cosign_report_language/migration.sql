-- AlterTable
ALTER TABLE "Facility" ADD COLUMN     "reportLanguage" TEXT NOT NULL DEFAULT 'en';

