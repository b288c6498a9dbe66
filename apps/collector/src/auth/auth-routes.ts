import { WhoAmISchema } from '@trellis/contracts';
import type { ApiServer } from '../http/api-server.js';
import { principalOf } from './require-role.js';

export function registerAuthRoutes(app: ApiServer): void {
  app.get(
    '/v1/whoami',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Whom the bearer token belongs to',
        response: { 200: WhoAmISchema },
      },
    },
    async (request) => {
      const { name, role, service } = principalOf(request);
      return service === null ? { name, role } : { name, role, service };
    },
  );
}
