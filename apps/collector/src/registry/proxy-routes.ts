import {
  ApiErrorBodySchema,
  ProxyHeartbeatResponseSchema,
  ProxyHeartbeatSchema,
  ProxyListSchema,
} from '@trellis/contracts';
import type { ApiServer } from '../http/api-server.js';
import type { ProxyRegistry } from './proxy-registry.js';

export function registerProxyRoutes(app: ApiServer, registry: ProxyRegistry): void {
  const heartbeatIntervalSeconds = registry.heartbeatIntervalMs / 1000;

  app.post(
    '/v1/proxies',
    {
      config: { access: 'proxy' },
      schema: {
        tags: ['proxies'],
        summary: 'Register a proxy instance or record its heartbeat',
        description:
          'An upsert by instanceId. An instance that misses three heartbeat intervals is stale and leaves discovery until it heartbeats again. An inbound or admin address belongs to one live instance.',
        body: ProxyHeartbeatSchema,
        response: {
          200: ProxyHeartbeatResponseSchema,
          409: ApiErrorBodySchema.describe(
            'address-in-use: another live instance has the inbound or admin address',
          ),
        },
      },
    },
    async (request) => {
      await registry.heartbeat(request.body);
      return { heartbeatIntervalSeconds };
    },
  );

  app.get(
    '/v1/proxies',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['proxies'],
        summary: 'Data-plane status: every known proxy instance',
        response: { 200: ProxyListSchema },
      },
    },
    async () => ({ heartbeatIntervalSeconds, proxies: await registry.list() }),
  );
}
