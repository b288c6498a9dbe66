-- AlterTable
ALTER TABLE "Proxy" ADD COLUMN "staleSince" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Service" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "configRevision" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_Service" ("firstSeenAt", "lastSeenAt", "name") SELECT "firstSeenAt", "lastSeenAt", "name" FROM "Service";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
