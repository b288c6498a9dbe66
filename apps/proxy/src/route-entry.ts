import type { RouteStats } from './golden-metrics.js';
import type { Edge } from './layers/rescue-layer.js';

/** What a route table holds per route: its compiled stack, and where its requests count. */
export interface RouteEntry {
  serve: Edge;
  /** The series a request from `source` counts under (outbound: one for every source). */
  stats(source: string): RouteStats;
}
