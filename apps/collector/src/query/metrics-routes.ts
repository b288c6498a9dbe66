import { z } from 'zod';
import {
  API_ERRORS,
  HistogramSchema,
  RouteListSchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  ServiceTrendsSchema,
  EdgeDetailSchema,
  TopologySchema,
} from '@trellis/contracts';
import { ApiError } from '../http/api-error.js';
import type { ApiServer } from '../http/api-server.js';
import type { MeshQueries } from './mesh-queries.js';
import { WindowQuerySchema, resolveWindow } from './time-window.js';

const ServiceName = z.string().min(1).max(63);
const ServiceParams = z.object({ service: ServiceName });
const StepSchema = z.coerce.number().int().min(1).max(86_400).optional();
const RouteParams = ServiceParams.extend({ route: z.string().min(1).max(64) });

/** The read side of the aggregator: what the dashboard draws. */
export function registerMetricsRoutes(
  app: ApiServer,
  queries: MeshQueries,
  now: () => number = Date.now,
): void {
  const tags = ['metrics'];
  const config = { access: 'viewer' as const };

  app.get(
    '/v1/topology',
    {
      config,
      schema: {
        tags,
        summary: 'Services and the calls between them, with golden metrics',
        querystring: WindowQuerySchema,
        response: { 200: TopologySchema },
      },
    },
    async (request) => queries.topology(resolveWindow(request.query, now())),
  );

  app.get(
    '/v1/services',
    {
      config,
      schema: {
        tags,
        summary: 'Every service with its golden metrics',
        querystring: WindowQuerySchema,
        response: { 200: ServiceListSchema },
      },
    },
    async (request) => queries.services(resolveWindow(request.query, now())),
  );

  app.get(
    '/v1/edges/:source/:destination',
    {
      config,
      schema: {
        tags,
        summary: 'The calls from one service to another: by route, by status, over time',
        params: z.object({ source: ServiceName, destination: ServiceName }),
        querystring: WindowQuerySchema,
        response: { 200: EdgeDetailSchema },
      },
    },
    async (request) => {
      const { source, destination } = request.params;
      const detail = await queries.edge(resolveWindow(request.query, now()), source, destination);
      if (detail === undefined) {
        throw new ApiError(API_ERRORS.unknownEdge, `no calls from "${source}" to "${destination}"`);
      }
      return detail;
    },
  );

  app.get(
    '/v1/trends',
    {
      config,
      schema: {
        tags,
        summary: "Every service's request and success rate over time, in one answer",
        querystring: WindowQuerySchema.extend({ step: StepSchema }),
        response: { 200: ServiceTrendsSchema },
      },
    },
    async (request) => {
      const { step, ...window } = request.query;
      return queries.trends(resolveWindow(window, now()), step);
    },
  );

  app.get(
    '/v1/services/:service',
    {
      config,
      schema: {
        tags,
        summary: 'One service with its callers and callees',
        params: ServiceParams,
        querystring: WindowQuerySchema,
        response: { 200: ServiceDetailSchema },
      },
    },
    async (request) => {
      const detail = await queries.service(
        resolveWindow(request.query, now()),
        request.params.service,
      );
      if (detail === undefined) {
        throw new ApiError(
          API_ERRORS.unknownService,
          `no service "${request.params.service}" is known`,
        );
      }
      return detail;
    },
  );

  app.get(
    '/v1/services/:service/routes',
    {
      config,
      schema: {
        tags,
        summary: 'Per-route golden metrics, effective and actual',
        params: ServiceParams,
        querystring: WindowQuerySchema,
        response: { 200: RouteListSchema },
      },
    },
    async (request) => queries.routes(resolveWindow(request.query, now()), request.params.service),
  );

  app.get(
    '/v1/services/:service/routes/:route/histogram',
    {
      config,
      schema: {
        tags,
        summary: "A route's latency distribution",
        params: RouteParams,
        querystring: WindowQuerySchema,
        response: { 200: HistogramSchema },
      },
    },
    async (request) =>
      queries.histogram(
        resolveWindow(request.query, now()),
        request.params.service,
        request.params.route,
      ),
  );

  app.get(
    '/v1/series',
    {
      config,
      schema: {
        tags,
        summary: 'Golden metrics over time for charts',
        querystring: WindowQuerySchema.extend({
          service: z.string().min(1).max(63),
          route: z.string().min(1).max(64).optional(),
          step: StepSchema,
        }),
        response: { 200: SeriesSchema },
      },
    },
    async (request) => {
      const { service, route, step, ...window } = request.query;
      return queries.series(resolveWindow(window, now()), service, route, step);
    },
  );
}
