-- CreateTable
CREATE TABLE "CounterCheckpoint" (
    "instanceId" TEXT NOT NULL,
    "processStartTimeSeconds" DOUBLE PRECISION,
    "revision" INTEGER NOT NULL,
    "counters" TEXT NOT NULL,

    CONSTRAINT "CounterCheckpoint_pkey" PRIMARY KEY ("instanceId")
);
