-- CreateTable
CREATE TABLE "CounterCheckpoint" (
    "instanceId" TEXT NOT NULL PRIMARY KEY,
    "processStartTimeSeconds" REAL,
    "revision" INTEGER NOT NULL,
    "counters" TEXT NOT NULL
);
