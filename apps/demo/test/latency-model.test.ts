import { expect, it } from 'vitest';
import { logNormalSampler } from '../src/mesh/latency-model.js';
import { seededRandom } from '../src/mesh/seeded-random.js';

it('draws a log-normal body and tail with the configured median and p99', () => {
  const sample = logNormalSampler({ medianMs: 10, p99Ms: 200 }, seededRandom(1));
  const draws = Array.from({ length: 40_000 }, sample).sort((a, b) => a - b);
  const at = (q: number) => draws[Math.floor(q * draws.length)]!;
  expect(at(0.5)).toBeGreaterThan(9);
  expect(at(0.5)).toBeLessThan(11);
  expect(at(0.99)).toBeGreaterThan(170);
  expect(at(0.99)).toBeLessThan(235);
  expect(draws.at(-1)).toBeLessThanOrEqual(800);
});
