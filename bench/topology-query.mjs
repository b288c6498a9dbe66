// Topology query latency on SQLite with 200 services × 10 routes × 24 h of rollups.
// Rows are generated straight into the database (the write path is not what is measured),
// in the tiers the collector keeps: minutes, ten minutes and hours for the whole day, the scrape
// interval for the last 15 minutes (older fine rows play no part in these windows: the
// query reads them only at a window's ragged ends). Needs the build: `npm run bench:collector`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '@trellis/db';
import { defaultPolicy } from '@trellis/contracts';
import { DEFAULT_HEALTH_THRESHOLDS } from '../apps/collector/dist/query/health.js';
import { MeshQueries } from '../apps/collector/dist/query/mesh-queries.js';
import { RollupStore } from '../apps/collector/dist/rollup/rollup-store.js';
import { rollupTiers } from '../apps/collector/dist/rollup/rollup-tiers.js';
import { FIELD_COLUMNS } from '../apps/collector/dist/rollup/rollup-fields.js';

const SERVICES = 200;
const ROUTES = 10;
const CALLERS = 2;
const SCRAPE_SECONDS = 5;
const DAY = 86_400;
const FINE_SECONDS = 15 * 60;
const RUNS = 30;

// TRELLIS_BENCH_DB=FILE keeps the generated database there and reuses it on the next run.
const kept = process.env.TRELLIS_BENCH_DB;
const dir = kept ? dirname(kept) : mkdtempSync(join(tmpdir(), 'trellis-bench-'));
const file = kept ?? join(dir, 'trellis.db');
const reuse = kept !== undefined && existsSync(file);
const url = `file:${file}`;
await migrate(url);

// A fixed hour offset, so a reused database has the same shape.
const now = reuse ? maxBucket(file) : Math.floor(Date.now() / 1000 / 3600) * 3600 + 1234;
const service = (i) => `svc-${String(i).padStart(3, '0')}`;

/** Each route of service s is called by caller (s + 1 + route % CALLERS) mod SERVICES. */
function* keys() {
  for (let s = 0; s < SERVICES; s++) {
    for (let r = 0; r < ROUTES; r++) {
      const src = service((s + 1 + (r % CALLERS)) % SERVICES);
      for (const direction of ['inbound', 'outbound']) {
        yield [direction, src, service(s), `route-${r}`];
      }
    }
    for (let c = 0; c < CALLERS; c++) {
      for (const direction of ['inbound', 'outbound']) {
        yield [direction, service((s + 1 + c) % SERVICES), service(s), '*'];
      }
    }
  }
}
const allKeys = [...keys()];

function maxBucket(path) {
  const db = new Database(path, { readonly: true });
  const { last } = db.prepare('SELECT MAX("bucketStart") AS last FROM "Rollup"').get();
  db.close();
  return last + SCRAPE_SECONDS;
}

const started = performance.now();
const sqlite = new Database(file);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = OFF');
const columns = [
  'resolutionSeconds',
  'bucketStart',
  'direction',
  'srcService',
  'dstService',
  'route',
  ...FIELD_COLUMNS,
];
const insert = sqlite.prepare(
  `INSERT INTO "Rollup" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
);
const bucketColumn = FIELD_COLUMNS.indexOf('b10');
function row(tier, start, key, scale) {
  const values = FIELD_COLUMNS.map(() => 0);
  const requests = 10 * scale;
  values[FIELD_COLUMNS.indexOf('requests')] = requests;
  values[FIELD_COLUMNS.indexOf('successes')] = requests - scale;
  values[FIELD_COLUMNS.indexOf('failures')] = scale;
  values[FIELD_COLUMNS.indexOf('attempts')] = requests;
  values[bucketColumn] = requests - scale;
  values[bucketColumn + 3] = scale;
  return [tier, start, ...key, ...values];
}
let rows = 0;
const fill = sqlite.transaction((tier, from, to) => {
  for (let start = from; start < to; start += tier) {
    for (const key of allKeys) {
      insert.run(row(tier, start, key, tier / SCRAPE_SECONDS));
      rows++;
    }
  }
});
const align = (t, s) => Math.floor(t / s) * s;
if (!reuse) {
  fill(3600, align(now - DAY, 3600), now);
  fill(600, align(now - DAY, 600), now);
  fill(60, align(now - DAY, 60), now);
  fill(SCRAPE_SECONDS, align(now - FINE_SECONDS, SCRAPE_SECONDS), now);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}
sqlite.close();
console.log(
  `generated ${rows.toLocaleString('en-US')} rollup rows (${allKeys.length} per bucket) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const database = await openDatabase(url);
const rollups = new RollupStore(
  database,
  rollupTiers({
    scrapeIntervalSeconds: SCRAPE_SECONDS,
    fineRetentionSeconds: 6 * 3600,
    coarseRetentionSeconds: 7 * DAY,
  }),
);
const queries = new MeshQueries({
  rollups,
  thresholds: DEFAULT_HEALTH_THRESHOLDS,
  instanceCounts: async () => new Map(),
  lastScrapeAt: async () => now * 1000,
  policy: async (service) => defaultPolicy(service),
  policyChanges: async () => [],
});

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

console.log('\nquery                      p50 ms   p95 ms   nodes  edges');
for (const [label, seconds] of [
  ['topology 1m', 60],
  ['topology 1h', 3600],
  ['topology 6h', 6 * 3600],
  ['topology 24h', DAY],
]) {
  const window = { fromMs: (now - seconds) * 1000, toMs: now * 1000, seconds };
  const result = await queries.topology(window);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await queries.topology(window);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(24)} ${percentile(times, 0.5).toFixed(1).padStart(7)}  ${percentile(times, 0.95).toFixed(1).padStart(7)}  ${String(result.nodes.length).padStart(6)}  ${String(result.edges.length).padStart(5)}`,
  );
}
console.log('\ntarget: topology 1h p95 ≤ 100 ms on SQLite');

await database.close();
if (!kept) rmSync(dir, { recursive: true, force: true });
