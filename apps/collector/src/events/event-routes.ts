import { EVENT_TYPES } from '@trellis/contracts';
import type { ChangeHub } from '../discovery/change-hub.js';
import type { ApiServer } from '../http/api-server.js';
import { TOO_MANY_STREAMS, type SseStreams } from '../http/sse.js';
import { principalOf } from '../auth/require-role.js';

export function registerEventRoutes(
  app: ApiServer,
  { hub, streams }: { hub: ChangeHub; streams: SseStreams },
): void {
  app.get(
    '/v1/events',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Control-plane news as server-sent events',
        description: `A text/event-stream; event names: ${EVENT_TYPES.join(', ')} (data: JSON, see PolicyEvent and ProxyEvent in the contracts). A comment line every 15 s keeps idle connections up.`,
        response: { 429: TOO_MANY_STREAMS },
      },
    },
    async (request, reply) => {
      const stream = streams.start(reply, principalOf(request).id);
      stream.onClose(hub.onEvent((type, data) => stream.send(type, data)));
      return reply;
    },
  );
}
