import type { Socket } from 'node:net';
import { DEFAULT_ROUTE, UNKNOWN_SOURCE, type Policy, type Route } from '@trellis/contracts';
import type { Endpoint } from './balancer.js';
import { Call } from './call.js';
import { grpcFailureMask } from './classify.js';
import type { RequestHandlers } from './downstream/client-connection.js';
import type { ClientRequest } from './downstream/client-request.js';
import type { ClientResponse } from './downstream/client-response.js';
import type { StackContext } from './destination.js';
import { forwarder } from './forwarder.js';
import type { RouteStats } from './proxy-metrics.js';
import { stack } from './handler.js';
import { prepareRequestHead } from './hop-by-hop.js';
import { metricsLayer } from './layers/metrics-layer.js';
import { rescueLayer } from './layers/rescue-layer.js';
import type { RouteEntry } from './route-entry.js';
import { RouteTable } from './route-table.js';
import { tunnelUpgrade } from './upgrade.js';

/**
 * The inbound side's routes (from this service's own policy, for metric labels) over a single
 * upstream: the local app. Rebuilt when this service's policy changes.
 */
export class InboundRoutes {
  private readonly routes: RouteTable<RouteEntry>;
  /** This proxy's own service, which the inbound side serves. */
  readonly service: string;

  constructor(
    policy: Policy | undefined,
    context: StackContext,
    private readonly app: Endpoint | undefined,
  ) {
    this.service = context.self;
    const rescue = rescueLayer(context.log);
    const build = (name: string, route: Route | undefined): RouteEntry => {
      const inner = forwarder(context.self, () => app, grpcFailureMask(route?.grpcFailures));
      const bySource = new Map<string, RouteStats>();
      const stats = (source: string): RouteStats => {
        let series = bySource.get(source);
        if (series === undefined) {
          series = context.metrics.route('inbound', source, context.self, name);
          bySource.set(source, series);
        }
        return series;
      };
      return { serve: rescue(stack([metricsLayer((call) => stats(call.source))], inner)), stats };
    };
    this.routes = new RouteTable(
      policy?.routes ?? [],
      (route: Route) => build(route.name, route),
      build(DEFAULT_ROUTE, undefined),
    );
  }

  serve(call: Call): Promise<void> {
    return this.routes.match(call.method, call.path).serve(call);
  }

  /** Where an Upgrade handshake from `source` to `path` counts. */
  upgradeStats(method: string, path: string, source: string): RouteStats {
    return this.routes.match(method, path).stats(source);
  }

  get appAddress(): string | undefined {
    return this.app?.address;
  }
}

/** The inbound listener: requests from other services' proxies (or anyone) to the local app. */
export function inboundListener(current: () => InboundRoutes): RequestHandlers {
  return {
    request(req: ClientRequest, res: ClientResponse): void {
      const head = prepareRequestHead(req.rawHeaders);
      const routes = current();
      // An HTTP/1.0 client may send no Host; the next hop speaks HTTP/1.1, which needs one.
      if (head.host === undefined && routes.appAddress !== undefined) {
        head.headers.push('host', routes.appAddress);
      }
      const call = new Call(req, res, req.url, head, head.source ?? UNKNOWN_SOURCE);
      void routes.serve(call);
    },

    connect(_req: ClientRequest, socket: Socket): void {
      socket.on('error', () => socket.destroy());
      socket.end(
        'HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
      );
    },

    upgrade(req: ClientRequest, socket: Socket, upgradeHead: Buffer): void {
      const routes = current();
      const source = prepareRequestHead(req.rawHeaders).source ?? UNKNOWN_SOURCE;
      tunnelUpgrade(req, socket, upgradeHead, {
        path: req.url,
        address: routes.appAddress,
        service: routes.service,
        source: undefined,
        stats: routes.upgradeStats(req.method, req.url, source),
      });
    },
  };
}
