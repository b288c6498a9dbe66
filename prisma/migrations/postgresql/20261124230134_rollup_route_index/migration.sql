-- CreateIndex
CREATE INDEX "Rollup_resolutionSeconds_route_bucketStart_idx" ON "Rollup"("resolutionSeconds", "route", "bucketStart");
