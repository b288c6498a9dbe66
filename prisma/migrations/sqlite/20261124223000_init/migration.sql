-- CreateTable
CREATE TABLE "Service" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Route" (
    "service" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("service", "name")
);

-- CreateTable
CREATE TABLE "Proxy" (
    "instanceId" TEXT NOT NULL PRIMARY KEY,
    "service" TEXT NOT NULL,
    "inboundAddress" TEXT NOT NULL,
    "adminAddress" TEXT NOT NULL,
    "proxyVersion" TEXT NOT NULL,
    "registeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied" TEXT NOT NULL DEFAULT '{}',
    "lastScrapeAt" DATETIME,
    "lastScrapeDurationMs" INTEGER,
    "lastScrapeError" TEXT
);

-- CreateTable
CREATE TABLE "Policy" (
    "service" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL,
    "document" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedBy" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "PolicyRevision" (
    "service" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "document" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("service", "version")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Rollup" (
    "resolutionSeconds" INTEGER NOT NULL,
    "bucketStart" INTEGER NOT NULL,
    "direction" TEXT NOT NULL,
    "srcService" TEXT NOT NULL,
    "dstService" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "status1xx" INTEGER NOT NULL DEFAULT 0,
    "status2xx" INTEGER NOT NULL DEFAULT 0,
    "status3xx" INTEGER NOT NULL DEFAULT 0,
    "status4xx" INTEGER NOT NULL DEFAULT 0,
    "status5xx" INTEGER NOT NULL DEFAULT 0,
    "errorNoEndpoints" INTEGER NOT NULL DEFAULT 0,
    "errorConnectFailed" INTEGER NOT NULL DEFAULT 0,
    "errorRequestTimeout" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "attemptFailures" INTEGER NOT NULL DEFAULT 0,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "retriesBudgetExhausted" INTEGER NOT NULL DEFAULT 0,
    "retriesLimitReached" INTEGER NOT NULL DEFAULT 0,
    "retriesBodyTooLarge" INTEGER NOT NULL DEFAULT 0,
    "latencySumSeconds" REAL NOT NULL DEFAULT 0,
    "b00" INTEGER NOT NULL DEFAULT 0,
    "b01" INTEGER NOT NULL DEFAULT 0,
    "b02" INTEGER NOT NULL DEFAULT 0,
    "b03" INTEGER NOT NULL DEFAULT 0,
    "b04" INTEGER NOT NULL DEFAULT 0,
    "b05" INTEGER NOT NULL DEFAULT 0,
    "b06" INTEGER NOT NULL DEFAULT 0,
    "b07" INTEGER NOT NULL DEFAULT 0,
    "b08" INTEGER NOT NULL DEFAULT 0,
    "b09" INTEGER NOT NULL DEFAULT 0,
    "b10" INTEGER NOT NULL DEFAULT 0,
    "b11" INTEGER NOT NULL DEFAULT 0,
    "b12" INTEGER NOT NULL DEFAULT 0,
    "b13" INTEGER NOT NULL DEFAULT 0,
    "b14" INTEGER NOT NULL DEFAULT 0,
    "b15" INTEGER NOT NULL DEFAULT 0,
    "b16" INTEGER NOT NULL DEFAULT 0,
    "b17" INTEGER NOT NULL DEFAULT 0,
    "b18" INTEGER NOT NULL DEFAULT 0,
    "b19" INTEGER NOT NULL DEFAULT 0,
    "b20" INTEGER NOT NULL DEFAULT 0,
    "b21" INTEGER NOT NULL DEFAULT 0,
    "b22" INTEGER NOT NULL DEFAULT 0,
    "b23" INTEGER NOT NULL DEFAULT 0,
    "b24" INTEGER NOT NULL DEFAULT 0,
    "b25" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("resolutionSeconds", "bucketStart", "direction", "srcService", "dstService", "route")
);

-- CreateIndex
CREATE INDEX "Proxy_service_idx" ON "Proxy"("service");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "Rollup_resolutionSeconds_dstService_bucketStart_idx" ON "Rollup"("resolutionSeconds", "dstService", "bucketStart");

-- CreateIndex
CREATE INDEX "Rollup_resolutionSeconds_srcService_bucketStart_idx" ON "Rollup"("resolutionSeconds", "srcService", "bucketStart");
