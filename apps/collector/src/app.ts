import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '@trellis/db';
import type { CollectorConfig } from './config.js';
import { installErrorHandler } from './http/error-handler.js';

export interface AppDependencies {
  config: CollectorConfig;
  database: Database;
  logger?: boolean;
}

/** Builds the collector's HTTP API without listening, so tests can inject requests. */
export async function buildApp({ config, database, logger = false }: AppDependencies) {
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
    },
    transform: jsonSchemaTransform,
  });

  app.get(
    '/v1/health',
    {
      schema: {
        summary: 'Liveness and database reachability',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['sqlite', 'postgresql']),
            scrapeIntervalSeconds: z.number(),
          }),
        },
      },
    },
    async () => {
      await database.prisma.$queryRawUnsafe('SELECT 1');
      return {
        status: 'ok' as const,
        database: database.provider,
        scrapeIntervalSeconds: config.scrapeIntervalMs / 1000,
      };
    },
  );

  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

export type CollectorApp = Awaited<ReturnType<typeof buildApp>>;
