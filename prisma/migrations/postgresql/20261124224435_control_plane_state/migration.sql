-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "configRevision" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Proxy" ADD COLUMN     "staleSince" TIMESTAMP(3);
