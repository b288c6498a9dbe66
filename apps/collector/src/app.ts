import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { CollectorHealthSchema } from '@trellis/contracts';
import type { Database } from '@trellis/db';
import { registerAuthRoutes } from './auth/auth-routes.js';
import { installRoleCheck } from './auth/require-role.js';
import { loadCertificateAuthority } from './identity/ca-store.js';
import { registerCertificateRoutes } from './identity/certificate-routes.js';
import type { CollectorConfig } from './config.js';
import { Cluster } from './cluster/cluster.js';
import { ChangeHub } from './discovery/change-hub.js';
import { registerConfigRoutes } from './discovery/config-routes.js';
import { readDestinationConfig } from './discovery/destination-config.js';
import { registerEventRoutes } from './events/event-routes.js';
import { installErrorHandler } from './http/error-handler.js';
import { SseStreams } from './http/sse.js';
import { registerPolicyRoutes } from './policies/policy-routes.js';
import { PolicyStore } from './policies/policy-store.js';
import { MeshQueries } from './query/mesh-queries.js';
import { registerMetricsRoutes } from './query/metrics-routes.js';
import { ProxyRegistry } from './registry/proxy-registry.js';
import { registerProxyRoutes } from './registry/proxy-routes.js';
import { StaleSweeper } from './registry/stale-sweeper.js';
import { CounterCheckpointStore } from './scrape/counter-checkpoints.js';
import { ScrapeService } from './scrape/scrape-service.js';
import { RollupStore } from './rollup/rollup-store.js';
import { rollupTiers } from './rollup/rollup-tiers.js';

export interface AppDependencies {
  config: CollectorConfig;
  database: Database;
  /** Pass one to publish on it from outside the app (the scrape loop's `scrape` events). */
  hub?: ChangeHub;
  logger?: boolean;
  /** How often idle event streams get a comment line; tests shorten it. */
  sseHeartbeatMs?: number;
  /**
   * Scrape on the interval from `ready` to `close` (on PostgreSQL, while this collector holds
   * the scrape lock); tests turn it off and call scrapeOnce().
   */
  scrapeLoop?: boolean;
}

/**
 * Builds the collector's HTTP API without listening, so tests can inject requests. The stale
 * sweeper runs from `ready` (or `listen`) until `close`.
 */
export async function buildApp({
  config,
  database,
  hub,
  logger = false,
  sseHeartbeatMs = 15_000,
  scrapeLoop = true,
}: AppDependencies) {
  // Requests are not logged one by one (proxies heartbeat and get scraped constantly); warnings and errors are.
  const app = Fastify({
    logger: logger && { level: 'warn' },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app as unknown as FastifyInstance);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Trellis collector API', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      tags: [
        { name: 'auth', description: 'Bearer tokens' },
        { name: 'identity', description: "Workload identity: proxies' certificates" },
        { name: 'proxies', description: 'Proxy registry and data-plane status' },
        { name: 'config', description: 'Discovery: what a proxy needs per destination' },
        { name: 'policies', description: 'Versioned retry and timeout policies' },
        { name: 'events', description: 'Server-sent control-plane news' },
        { name: 'metrics', description: 'Golden metrics: topology, services, routes, series' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  installRoleCheck(app as unknown as FastifyInstance, database);
  const authority = await loadCertificateAuthority(database, config);

  const changeHub =
    hub ?? new ChangeHub((error) => app.log.error({ err: error }, 'change listener failed'));
  const streams = new SseStreams(sseHeartbeatMs);
  const registry = new ProxyRegistry(
    database,
    changeHub,
    config.heartbeatIntervalMs,
    config.staleRetentionSeconds,
  );
  const policies = new PolicyStore(database, changeHub);
  // The app logs at warn to keep per-request lines out; purges are rare enough to report.
  const sweeper = new StaleSweeper(registry, app.log.child({}, { level: 'info' }));
  const rollups = new RollupStore(
    database,
    rollupTiers({
      scrapeIntervalSeconds: config.scrapeIntervalMs / 1000,
      fineRetentionSeconds: config.fineRetentionSeconds,
      coarseRetentionSeconds: config.coarseRetentionSeconds,
    }),
  );
  const scraping = new ScrapeService({
    rollups,
    checkpoints: new CounterCheckpointStore(database),
    registry,
    intervalMs: config.scrapeIntervalMs,
    onRound: (round) =>
      changeHub.publish('scrape', {
        at: new Date(round.startedAtMs).toISOString(),
        targets: round.targets.length,
        failed: round.targets.filter((target) => target.error !== null).length,
        rows: round.rows.length,
      }),
    onError: (error) => app.log.warn({ err: error }, 'scrape round failed'),
  });
  const queries = new MeshQueries({
    rollups,
    thresholds: { warning: config.healthWarning, failing: config.healthFailing },
    instanceCounts: () => registry.instanceCounts(),
    lastScrapeAt: () => registry.lastScrapeAt(),
    policy: async (service) => (await policies.current(service)).policy,
    policyChanges: (service, from, to) => policies.changesBetween(service, from, to),
  });
  // SQLite allows one collector; on PostgreSQL several share the database, and the cluster
  // elects the one that scrapes and carries changes between them.
  const cluster =
    database.provider === 'postgresql'
      ? new Cluster({
          databaseUrl: config.databaseUrl,
          hub: changeHub,
          ...(scrapeLoop
            ? { scraping: { service: scraping, intervalMs: config.scrapeIntervalMs } }
            : {}),
          log: app.log.child({}, { level: 'info' }),
        })
      : undefined;
  app.addHook('onReady', async () => {
    sweeper.start();
    if (cluster) cluster.start();
    else if (scrapeLoop) scraping.start();
  });
  app.addHook('preClose', async () => streams.closeAll());
  app.addHook('onClose', async () => {
    await sweeper.stop();
    await cluster?.stop();
    await scraping.stop();
  });

  app.get(
    '/v1/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness and database reachability',
        response: {
          200: CollectorHealthSchema,
        },
      },
    },
    async () => {
      await database.prisma.$queryRawUnsafe('SELECT 1');
      return {
        status: 'ok' as const,
        database: database.provider,
        scrapeIntervalSeconds: config.scrapeIntervalMs / 1000,
        scraping: scraping.running,
      };
    },
  );

  app.get('/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerAuthRoutes(app);
  registerProxyRoutes(app, registry);
  registerCertificateRoutes(app, authority);
  registerConfigRoutes(app, {
    hub: changeHub,
    streams,
    read: (service) => readDestinationConfig({ database, registry, policies }, service),
  });
  registerEventRoutes(app, { hub: changeHub, streams });
  registerPolicyRoutes(app, { store: policies, registry, queries });
  registerMetricsRoutes(app, queries);

  return Object.assign(app, { hub: changeHub, policies, registry, scraping, authority });
}

export type CollectorApp = Awaited<ReturnType<typeof buildApp>>;
