/**
 * Service time as a log-normal distribution given by its median and 99th percentile: real
 * services have a body near the median and a long right tail, which a constant delay or a
 * uniform spread would hide from the latency histograms.
 */

/** The standard normal's 99th percentile. */
const Z99 = 2.326_347_874;

export interface LatencySpec {
  medianMs: number;
  p99Ms: number;
}

export type LatencySampler = () => number;

/** Draws from one standard normal with the Box-Muller transform. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Samples in milliseconds. A draw is capped at four times the p99 so that one unlucky request
 * cannot hold a connection for minutes.
 */
export function logNormalSampler(
  spec: LatencySpec,
  random: () => number = Math.random,
): LatencySampler {
  const mu = Math.log(spec.medianMs);
  const sigma = Math.log(spec.p99Ms / spec.medianMs) / Z99;
  const cap = spec.p99Ms * 4;
  return () => Math.min(cap, Math.exp(mu + sigma * standardNormal(random)));
}
