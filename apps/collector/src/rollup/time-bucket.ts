/** Start (ms since the epoch) of the `bucketSeconds`-wide bucket holding `timeMs`. */
export function timeBucketStart(timeMs: number, bucketSeconds: number): number {
  const width = bucketSeconds * 1000;
  return Math.floor(timeMs / width) * width;
}
