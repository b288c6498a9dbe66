import type { RouteStats } from './proxy-metrics.js';
import type { ServeCall } from './layers/rescue-layer.js';

/** What a route table holds per route: its compiled stack, and where its requests count. */
export interface RouteEntry {
  serve: ServeCall;
  /** The series a request from `source` counts under (outbound: one for every source). */
  stats(source: string): RouteStats;
}
