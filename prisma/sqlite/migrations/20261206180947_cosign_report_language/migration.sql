-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Facility" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secondFactorPolicy" TEXT NOT NULL DEFAULT 'NONE',
    "address" TEXT NOT NULL DEFAULT '',
    "phone" TEXT NOT NULL DEFAULT '',
    "disabledAt" DATETIME,
    "reportLanguage" TEXT NOT NULL DEFAULT 'en'
);
INSERT INTO "new_Facility" ("address", "code", "createdAt", "disabledAt", "id", "name", "phone", "secondFactorPolicy") SELECT "address", "code", "createdAt", "disabledAt", "id", "name", "phone", "secondFactorPolicy" FROM "Facility";
DROP TABLE "Facility";
ALTER TABLE "new_Facility" RENAME TO "Facility";
CREATE UNIQUE INDEX "Facility_code_key" ON "Facility"("code");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

