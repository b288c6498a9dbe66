import { once } from 'node:events';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoCall, DemoRoute, DemoService } from '../mesh/demo-config.js';
import { logNormalSampler, type LatencySampler } from '../mesh/latency-model.js';
import { sendThroughProxy } from '../mesh/proxied-call.js';
import { matchesTemplate } from '../mesh/route-path.js';

/** A failed call that a route needs; the route then fails too, as a real handler would. */
const DEPENDENCY_FAILED_STATUS = 502;

/** Status served by a direct check of the app, outside the mesh; never a route. */
export const HEALTH_PATH = '/healthz';

export interface SampleInstanceOptions {
  service: string;
  instanceId: string;
  spec: DemoService;
  /** Where the instance listens; its proxy's inbound forwards here. */
  appPort: number;
  /** Its proxy's outbound port: every downstream call goes there, with `Host: <service>`. */
  outboundPort: number;
  random?: () => number;
}

export interface SampleInstance {
  close(): Promise<void>;
}

interface CompiledRoute {
  route: DemoRoute;
  latency: LatencySampler;
}

/**
 * One instance of a sample service: a plain `node:http` server whose routes take a log-normal
 * time, fail at their configured rate and call their downstream services through the
 * instance's own proxy.
 */
export async function startSampleInstance(options: SampleInstanceOptions): Promise<SampleInstance> {
  const random = options.random ?? Math.random;
  const routes: CompiledRoute[] = options.spec.routes.map((route) => ({
    route,
    latency: logNormalSampler(route.latency, random),
  }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

  const call = (target: DemoCall): Promise<number> =>
    sendThroughProxy(
      { agent, outboundPort: options.outboundPort, random },
      target,
      target.method === 'GET' || target.method === 'HEAD' ? undefined : '{"qty":1}',
    );

  const serve = async (compiled: CompiledRoute, res: http.ServerResponse): Promise<void> => {
    const { route } = compiled;
    if (random() < route.errorRate) {
      // Shedding or crashing happens early: a failure costs a fraction of a normal answer.
      await sleep(compiled.latency() * 0.2);
      respond(res, route.errorStatus, { service: options.service, error: 'injected failure' });
      return;
    }
    const chosen = route.calls.filter((c) => c.probability >= 1 || random() < c.probability);
    const statuses = await Promise.all(chosen.map(call));
    const failed = chosen.filter((_, i) => statuses[i]! < 200 || statuses[i]! >= 500);
    await sleep(compiled.latency());
    if (failed.some((c) => !c.optional)) {
      respond(res, DEPENDENCY_FAILED_STATUS, {
        service: options.service,
        error: `dependency failed: ${failed.map((c) => c.service).join(', ')}`,
      });
      return;
    }
    respond(res, 200, {
      service: options.service,
      instance: options.instanceId,
      route: route.name,
      degraded: failed.map((c) => c.service),
    });
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    req.resume();
    if (path === HEALTH_PATH) {
      respond(res, 200, { service: options.service, instance: options.instanceId });
      return;
    }
    const compiled = routes.find(
      ({ route }) => route.method === req.method && matchesTemplate(route.path, path),
    );
    if (compiled === undefined) {
      respond(res, 404, { service: options.service, error: `no route for ${req.method} ${path}` });
      return;
    }
    serve(compiled, res).catch((error: unknown) => {
      respond(res, 500, { service: options.service, error: String(error) });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(options.appPort, '127.0.0.1');
  await once(server, 'listening');

  return {
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(res: http.ServerResponse, status: number, body: object): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
