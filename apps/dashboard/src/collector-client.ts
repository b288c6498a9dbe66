import 'server-only';
import { loadConfig } from './config';

export interface CollectorHealth {
  status: 'ok';
  database: 'sqlite' | 'postgresql';
  scrapeIntervalSeconds: number;
}

export type Reachability<T> = { ok: true; data: T } | { ok: false; reason: string };

/** Reads the collector's health; the dashboard talks to nothing else. */
export async function fetchHealth(): Promise<Reachability<CollectorHealth>> {
  const { collectorUrl } = loadConfig();
  try {
    const response = await fetch(new URL('/v1/health', collectorUrl), {
      cache: 'no-store',
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) return { ok: false, reason: `collector answered ${response.status}` };
    return { ok: true, data: (await response.json()) as CollectorHealth };
  } catch (error) {
    return {
      ok: false,
      reason: `collector at ${collectorUrl} unreachable: ${(error as Error).message}`,
    };
  }
}
