import { Prisma, type Database, type Transaction } from '@trellis/db';
import { downsampleRows } from './merge-rows.js';
import { FIELD_COLUMNS, GOLDEN_COLUMNS, KEY_COLUMNS } from './rollup-fields.js';
import { fieldValues, rowFromValues, type RollupRow, type RouteKey } from './rollup-row.js';
import { coverWindow, type RollupTier } from './rollup-tiers.js';

/** The route of the rows that sum every route of an edge, so edge-level reads stay small. */
export const ALL_ROUTES = '*';

/** How long a round's transaction may wait for the database, and then take. */
const WRITE_MAX_WAIT_MS = 10_000;
const WRITE_TIMEOUT_MS = 30_000;

/** Rows per INSERT: under SQLite's 32,766 bound parameters at ~45 columns a row. */
const ROWS_PER_STATEMENT = 500;

const quote = (column: string) => `"${column}"`;
const INSERT_COLUMNS = ['resolutionSeconds', 'bucketStart', ...KEY_COLUMNS, ...FIELD_COLUMNS];
const CONFLICT_KEY = ['resolutionSeconds', 'bucketStart', ...KEY_COLUMNS].map(quote).join(', ');
const ADD_ON_CONFLICT = FIELD_COLUMNS.map(
  (column) => `${quote(column)} = "Rollup".${quote(column)} + excluded.${quote(column)}`,
).join(', ');
const sums = (columns: readonly string[]) =>
  columns.map((column) => `SUM(${quote(column)}) AS ${quote(column)}`).join(', ');
const SUM_ALL = sums(FIELD_COLUMNS);

export interface RollupFilter {
  direction?: 'inbound' | 'outbound';
  dstService?: string;
  srcService?: string;
  /** A route name, or ALL_ROUTES for edge-level rows; omitted = per-route rows. */
  route?: string;
}

export type GroupColumn = (typeof KEY_COLUMNS)[number];

/** The first and last bucket start (ms) a tier holds inside a window; undefined when none. */
export interface TierExtent {
  tierSeconds: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
}

/** Which columns to sum; reading fewer makes the big scans (topology) cheaper. */
export type ColumnSet = 'all' | 'golden';
const SUM_GOLDEN = sums(GOLDEN_COLUMNS);

/**
 * Stores rollup rows in every tier and answers sums over windows. Writes add to what is there
 * (`ON CONFLICT … DO UPDATE SET x = x + excluded.x`), so a bucket filled by several scrape
 * rounds or several collectors sums them all.
 */
export class RollupStore {
  constructor(
    private readonly database: Database,
    readonly tiers: readonly RollupTier[],
  ) {}

  /**
   * Adds one scrape round's rows (at the finest tier's resolution) to every tier, in one
   * transaction, after `alongside` wrote what must commit or fail with them.
   */
  async write(
    rows: readonly RollupRow[],
    alongside?: (tx: Transaction) => Promise<void>,
  ): Promise<void> {
    if (rows.length === 0 && alongside === undefined) return;
    const statements: Prisma.Sql[] = [];
    if (rows.length > 0) {
      const withEdges = [...rows, ...edgeRows(rows)];
      for (const tier of this.tiers) {
        const tierRows = downsampleRows(withEdges, tier.seconds);
        for (let i = 0; i < tierRows.length; i += ROWS_PER_STATEMENT) {
          statements.push(insertStatement(tierRows.slice(i, i + ROWS_PER_STATEMENT), tier.seconds));
        }
      }
    }
    await this.database.prisma.$transaction(
      async (tx) => {
        await alongside?.(tx);
        for (const statement of statements) await tx.$executeRaw(statement);
      },
      { maxWait: WRITE_MAX_WAIT_MS, timeout: WRITE_TIMEOUT_MS },
    );
  }

  /** Drops rows older than their tier keeps; returns how many. */
  async prune(nowMs: number): Promise<number> {
    let removed = 0;
    for (const tier of this.tiers) {
      const oldest = Math.floor(nowMs / 1000) - tier.retentionSeconds;
      removed += await this.database.prisma.$executeRaw(
        Prisma.sql`DELETE FROM "Rollup" WHERE "resolutionSeconds" = ${tier.seconds} AND "bucketStart" < ${oldest}`,
      );
    }
    return removed;
  }

  /**
   * Sums rows in [fromMs, toMs) that match `filter`, one result per distinct `groupBy`
   * combination; columns not grouped on come back empty (''), counts not summed as 0.
   */
  async sum(
    fromMs: number,
    toMs: number,
    filter: RollupFilter,
    groupBy: readonly GroupColumn[],
    columns: ColumnSet = 'all',
  ): Promise<RollupRow[]> {
    const rows = await this.query(fromMs, toMs, filter, groupBy, columns);
    return rows.map((row) => rowFromSums(row, fromMs, Math.round((toMs - fromMs) / 1000)));
  }

  /**
   * Sums rows in [fromMs, toMs) per `stepSeconds` time step (a multiple of the tiers read) and
   * `groupBy` combination, for charts; a step without rows has no entry.
   */
  async series(
    fromMs: number,
    toMs: number,
    stepSeconds: number,
    filter: RollupFilter,
    groupBy: readonly GroupColumn[] = [],
    columns: ColumnSet = 'all',
  ): Promise<RollupRow[]> {
    const tiers = this.tiers.filter((tier) => stepSeconds % tier.seconds === 0);
    const rows = await this.query(fromMs, toMs, filter, groupBy, columns, { stepSeconds, tiers });
    return rows.map((row) => rowFromSums(row, Number(row.step) * stepSeconds * 1000, stepSeconds));
  }

  /**
   * Where each tier's data starts and ends inside [fromMs, toMs) (bucket starts counted as in
   * `sum`). Each bound is its own single-aggregate subquery, so both databases answer it from
   * the primary key's (resolution, bucket) prefix without scanning rows.
   */
  async extent(fromMs: number, toMs: number): Promise<TierExtent[]> {
    const from = Math.ceil(fromMs / 1000);
    const to = Math.ceil(toMs / 1000);
    const bound = (fn: 'MIN' | 'MAX', tierSeconds: number, alias: string) =>
      Prisma.sql`(SELECT ${Prisma.raw(fn)}("bucketStart") FROM "Rollup" WHERE "resolutionSeconds" = ${tierSeconds} AND "bucketStart" >= ${from} AND "bucketStart" < ${to}) AS ${Prisma.raw(quote(alias))}`;
    const selects = this.tiers.flatMap((tier) => [
      bound('MIN', tier.seconds, `first${tier.seconds}`),
      bound('MAX', tier.seconds, `last${tier.seconds}`),
    ]);
    const [row] = await this.database.prisma.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`SELECT ${Prisma.join(selects)}`,
    );
    const ms = (value: unknown) =>
      value === null || value === undefined ? undefined : Number(value) * 1000;
    return this.tiers.map((tier) => ({
      tierSeconds: tier.seconds,
      firstMs: ms(row?.[`first${tier.seconds}`]),
      lastMs: ms(row?.[`last${tier.seconds}`]),
    }));
  }

  private async query(
    fromMs: number,
    toMs: number,
    filter: RollupFilter,
    groupBy: readonly GroupColumn[],
    columns: ColumnSet,
    steps?: { stepSeconds: number; tiers: readonly RollupTier[] },
  ): Promise<Record<string, unknown>[]> {
    const ranges = coverWindow(
      Math.ceil(fromMs / 1000),
      Math.ceil(toMs / 1000),
      steps?.tiers ?? this.tiers,
    );
    if (ranges.length === 0) return [];
    const inRanges = Prisma.join(
      ranges.map(
        (range) =>
          Prisma.sql`("resolutionSeconds" = ${range.tierSeconds} AND "bucketStart" >= ${range.fromSeconds} AND "bucketStart" < ${range.toSeconds})`,
      ),
      ' OR ',
    );
    const conditions = [Prisma.sql`(${inRanges})`];
    if (filter.direction) conditions.push(Prisma.sql`"direction" = ${filter.direction}`);
    if (filter.dstService) conditions.push(Prisma.sql`"dstService" = ${filter.dstService}`);
    if (filter.srcService) conditions.push(Prisma.sql`"srcService" = ${filter.srcService}`);
    conditions.push(
      filter.route === undefined
        ? Prisma.sql`"route" <> ${ALL_ROUTES}`
        : Prisma.sql`"route" = ${filter.route}`,
    );
    const groups = groupBy.map(quote);
    if (steps) groups.unshift(`"bucketStart" / ${Math.trunc(steps.stepSeconds)}`);
    const select = [
      ...(steps ? [`"bucketStart" / ${Math.trunc(steps.stepSeconds)} AS "step"`] : []),
      ...groupBy.map(quote),
      columns === 'all' ? SUM_ALL : SUM_GOLDEN,
    ].join(', ');
    return this.database.prisma.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`SELECT ${Prisma.raw(select)} FROM "Rollup" WHERE ${Prisma.join(conditions, ' AND ')}${
        groups.length > 0 ? Prisma.raw(` GROUP BY ${groups.join(', ')}`) : Prisma.empty
      }`,
    );
  }
}

/** A summed result row (column name → number) back into a RollupRow; columns not read are 0. */
function rowFromSums(
  sums: Record<string, unknown>,
  bucketStartMs: number,
  bucketSeconds: number,
): RollupRow {
  const values = FIELD_COLUMNS.map((column) => Number(sums[column] ?? 0));
  return rowFromValues(keyOf(sums), bucketStartMs, bucketSeconds, values);
}

function keyOf(row: Record<string, unknown>): RouteKey {
  return {
    direction: (row.direction as 'inbound' | 'outbound' | undefined) ?? 'inbound',
    srcService: (row.srcService as string | undefined) ?? '',
    dstService: (row.dstService as string | undefined) ?? '',
    route: (row.route as string | undefined) ?? '',
  };
}

/** One row per (bucket, direction, source, destination) summing its routes. */
function edgeRows(rows: readonly RollupRow[]): RollupRow[] {
  const first = rows[0];
  if (first === undefined) return [];
  return downsampleRows(
    rows.map((row) => ({ ...row, route: ALL_ROUTES })),
    first.bucketSeconds,
  );
}

function insertStatement(rows: readonly RollupRow[], tierSeconds: number): Prisma.Sql {
  const values = rows.map(
    (row) =>
      Prisma.sql`(${Prisma.join([
        tierSeconds,
        Math.floor(row.bucketStartMs / 1000),
        row.direction,
        row.srcService,
        row.dstService,
        row.route,
        ...fieldValues(row),
      ])})`,
  );
  return Prisma.sql`INSERT INTO "Rollup" (${Prisma.raw(INSERT_COLUMNS.map(quote).join(', '))}) VALUES ${Prisma.join(
    values,
  )} ON CONFLICT (${Prisma.raw(CONFLICT_KEY)}) DO UPDATE SET ${Prisma.raw(ADD_ON_CONFLICT)}`;
}
