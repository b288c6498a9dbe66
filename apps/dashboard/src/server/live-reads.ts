import 'server-only';
import { matchView } from '../views';
import type { CollectorResult } from './collector-client';
import { readView } from './collector-api';

/**
 * A read the browser asks the dashboard for to stay live, by path under `/api/v1`: any view in
 * the view table, with the query parameters that view takes. Anything else is undefined.
 */
export function readLiveView(
  token: string,
  segments: readonly string[],
  search: URLSearchParams,
): Promise<CollectorResult<unknown>> | undefined {
  const view = matchView(segments, search);
  return view && readView(token, view.name, view.path);
}
