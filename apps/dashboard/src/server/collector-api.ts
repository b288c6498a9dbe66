import 'server-only';
import {
  CollectorHealthSchema,
  HistogramSchema,
  PolicyDiffSchema,
  PolicyListSchema,
  PolicyPreviewSchema,
  PolicyRevisionListSchema,
  PolicyViewSchema,
  ProxyListSchema,
  RouteListSchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  TopologySchema,
  WhoAmISchema,
  type PolicySpec,
} from '@trellis/contracts';
import type { TimeWindow } from '../time-window';
import { callCollector } from './collector-client';

/** The collector's `/v1` endpoints the dashboard uses, each with its contract schema. */

const seg = encodeURIComponent;

export const fetchHealth = () => callCollector('/v1/health', CollectorHealthSchema);

export const fetchWhoAmI = (token: string) => callCollector('/v1/whoami', WhoAmISchema, { token });

export const fetchTopology = (token: string, window: TimeWindow) =>
  callCollector(`/v1/topology?window=${window}`, TopologySchema, { token });

export const fetchServices = (token: string, window: TimeWindow) =>
  callCollector(`/v1/services?window=${window}`, ServiceListSchema, { token });

export const fetchService = (token: string, service: string, window: TimeWindow) =>
  callCollector(`/v1/services/${seg(service)}?window=${window}`, ServiceDetailSchema, { token });

export const fetchRoutes = (token: string, service: string, window: TimeWindow) =>
  callCollector(`/v1/services/${seg(service)}/routes?window=${window}`, RouteListSchema, {
    token,
  });

export const fetchHistogram = (token: string, service: string, route: string, window: TimeWindow) =>
  callCollector(
    `/v1/services/${seg(service)}/routes/${seg(route)}/histogram?window=${window}`,
    HistogramSchema,
    { token },
  );

export const fetchSeries = (
  token: string,
  service: string,
  route: string | null,
  window: TimeWindow,
) => {
  const query = new URLSearchParams({ service, window });
  if (route) query.set('route', route);
  return callCollector(`/v1/series?${query}`, SeriesSchema, { token });
};

export const fetchPolicies = (token: string) =>
  callCollector('/v1/policies', PolicyListSchema, { token });

export const fetchPolicy = (token: string, service: string) =>
  callCollector(`/v1/policies/${seg(service)}`, PolicyViewSchema, { token });

export const fetchRevisions = (token: string, service: string) =>
  callCollector(`/v1/policies/${seg(service)}/revisions`, PolicyRevisionListSchema, { token });

export const fetchRevisionDiff = (token: string, service: string, from: number, to: number) =>
  callCollector(
    `/v1/policies/${seg(service)}/revisions/diff?from=${from}&to=${to}`,
    PolicyDiffSchema,
    { token },
  );

export const fetchProxies = (token: string) =>
  callCollector('/v1/proxies', ProxyListSchema, { token });

export const previewPolicy = (token: string, service: string, policy: PolicySpec) =>
  callCollector(`/v1/policies/${seg(service)}/preview`, PolicyPreviewSchema, {
    token,
    method: 'POST',
    body: { policy },
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
