import 'server-only';
import {
  CollectorHealthSchema,
  PolicyPreviewSchema,
  PolicyViewSchema,
  WhoAmISchema,
  type PolicySpec,
} from '@trellis/contracts';
import {
  VIEWS,
  viewPath,
  type ViewData,
  type ViewName,
  type ViewParams,
  type ViewQuery,
} from '../views';
import type { TimeWindow } from '../time-window';
import { callCollector, type CollectorResult } from './collector-client';

/** The collector's `/v1` endpoints the dashboard uses: the views of `VIEWS`, and the writes. */

const seg = encodeURIComponent;

export const fetchHealth = () => callCollector('/v1/health', CollectorHealthSchema);

export const fetchWhoAmI = (token: string) => callCollector('/v1/whoami', WhoAmISchema, { token });

/** A view of the view table, by name and filled-in path (`viewPath`), validated by its schema. */
export function readView<N extends ViewName>(
  token: string,
  name: N,
  path: string,
): Promise<CollectorResult<ViewData<N>>> {
  return callCollector(`/v1/${path}`, VIEWS[name].schema, { token }) as Promise<
    CollectorResult<ViewData<N>>
  >;
}

/** A view read on the server for a page's first render. */
export function loadView<N extends ViewName>(
  token: string,
  name: N,
  params: ViewParams<N>,
  query?: ViewQuery,
): Promise<CollectorResult<ViewData<N>>> {
  return readView(token, name, viewPath(name, params, query));
}

export const previewPolicy = (
  token: string,
  service: string,
  policy: PolicySpec,
  window: TimeWindow,
) =>
  callCollector(`/v1/policies/${seg(service)}/preview`, PolicyPreviewSchema, {
    token,
    method: 'POST',
    body: { policy, window },
    timeoutMs: 15_000,
  });

export const writePolicy = (
  token: string,
  service: string,
  policy: PolicySpec,
  baseVersion: number,
  reason: string,
) =>
  callCollector(`/v1/policies/${seg(service)}`, PolicyViewSchema, {
    token,
    method: 'PUT',
    body: { policy, baseVersion, reason },
  });

export const rollbackPolicy = (token: string, service: string, toVersion: number, reason: string) =>
  callCollector(`/v1/policies/${seg(service)}/rollback`, PolicyViewSchema, {
    token,
    method: 'POST',
    body: { toVersion, reason },
  });
