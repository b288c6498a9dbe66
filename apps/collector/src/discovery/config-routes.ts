import {
  CONFIG_EVENT,
  DestinationConfigSchema,
  ServiceNameSchema,
  type DestinationConfig,
} from '@trellis/contracts';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/require-role.js';
import type { ApiServer } from '../http/api-server.js';
import { TOO_MANY_STREAMS, type SseStream, type SseStreams } from '../http/sse.js';
import type { ChangeHub } from './change-hub.js';
import { SharedConfigReads } from './shared-config-reads.js';

export interface ConfigRouteDependencies {
  hub: ChangeHub;
  streams: SseStreams;
  read(service: string): Promise<DestinationConfig>;
}

export function registerConfigRoutes(
  app: ApiServer,
  { hub, streams, read }: ConfigRouteDependencies,
): void {
  const shared = new SharedConfigReads(read);
  app.get(
    '/v1/config/:service',
    {
      config: { access: 'proxy' },
      schema: {
        tags: ['config'],
        summary: 'Endpoints and policy for calling a service',
        description: `With watch=true the answer is a text/event-stream: a "${CONFIG_EVENT}" event (data: this DestinationConfig) at once and on every change, and a comment line every 15 s.`,
        params: z.strictObject({ service: ServiceNameSchema }),
        querystring: z.strictObject({
          watch: z.enum(['true', 'false']).default('false'),
        }),
        response: { 200: DestinationConfigSchema, 429: TOO_MANY_STREAMS },
      },
    },
    async (request, reply) => {
      const { service } = request.params;
      if (request.query.watch === 'false') return read(service);
      watch(streams.start(reply, principalOf(request).id), service, {
        hub,
        shared,
        log: request.log,
      });
      return reply;
    },
  );
}

/**
 * Sends the config now and after every change. Reads never overlap and notices that arrive
 * during one are coalesced into one more read, so a burst of changes costs two reads, and a
 * revision is never sent twice or out of order. Watchers of the same service share reads.
 */
function watch(
  stream: SseStream,
  service: string,
  { hub, shared, log }: { hub: ChangeHub; shared: SharedConfigReads; log: FastifyBaseLogger },
): void {
  let lastRevision = -1;
  let reading = false;
  let pending = false;
  let noticeAt = -1;
  const refresh = async (): Promise<void> => {
    noticeAt = performance.now();
    if (reading) {
      pending = true;
      return;
    }
    reading = true;
    try {
      do {
        pending = false;
        const config = await shared.read(service, noticeAt);
        if (stream.closed) return;
        if (config.revision > lastRevision) {
          lastRevision = config.revision;
          stream.send(CONFIG_EVENT, config);
        }
      } while (pending);
    } catch (error) {
      // The proxy reconnects and starts over from a fresh read; a stream that silently
      // stopped updating would be worse.
      log.warn({ err: error, service }, 'config watch read failed; closing the stream');
      stream.close();
    } finally {
      reading = false;
    }
  };
  stream.onClose(hub.onConfigChange(service, () => void refresh()));
  void refresh();
}
