import {
  ApiErrorBodySchema,
  ProxyHeartbeatResponseSchema,
  ProxyHeartbeatSchema,
  ProxyListSchema,
} from '@trellis/contracts';
import { principalOf, requireServiceBinding } from '../auth/require-role.js';
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
          'An upsert by instanceId. An instance that misses three heartbeat intervals is stale and leaves discovery until it heartbeats again. A proxy token registers only the service it is bound to (403 service-not-bound), and an instance id belongs to the token that first registered it (409 instance-owned).',
        body: ProxyHeartbeatSchema,
        response: {
          200: ProxyHeartbeatResponseSchema,
          409: ApiErrorBodySchema.describe('the instance id belongs to another token'),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireServiceBinding(principal, request.body.service);
      await registry.heartbeat(request.body, principal.id);
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
