-- AlterTable
ALTER TABLE "Proxy" ADD COLUMN "ownerTokenId" TEXT;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN "service" TEXT;
