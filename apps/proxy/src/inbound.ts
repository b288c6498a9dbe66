import type { Socket } from 'node:net';
import { DEFAULT_ROUTE, UNKNOWN_SOURCE, type Policy, type Route } from '@trellis/contracts';
import type { Endpoint } from './balancer.js';
import { Call } from './call.js';
import type { RequestHandlers } from './downstream/client-connection.js';
import type { ClientRequest } from './downstream/client-request.js';
import type { ClientResponse } from './downstream/client-response.js';
import type { StackContext } from './destination.js';
import { forwarder } from './forwarder.js';
import type { RouteStats } from './golden-metrics.js';
import { stack } from './handler.js';
import { prepareRequestHead } from './hop-by-hop.js';
import { metricsLayer } from './layers/metrics-layer.js';
import { rescueLayer, type Edge } from './layers/rescue-layer.js';
import { RouteTable } from './route-table.js';
import { tunnelUpgrade } from './upgrade.js';

/**
 * The inbound side's routes (from this service's own policy, for metric labels) over a single
 * upstream: the local app. Rebuilt when this service's policy changes.
 */
export class InboundRoutes {
  private readonly routes: RouteTable<Edge>;

  constructor(
    policy: Policy | undefined,
    context: StackContext,
    private readonly app: Endpoint | undefined,
  ) {
    const inner = forwarder(context.self, () => app);
    const rescue = rescueLayer(context.log);
    const build = (name: string): Edge => {
      const bySource = new Map<string, RouteStats>();
      return rescue(
        stack(
          [
            metricsLayer((call) => {
              let stats = bySource.get(call.source);
              if (stats === undefined) {
                stats = context.metrics.route('inbound', call.source, context.self, name);
                bySource.set(call.source, stats);
              }
              return stats;
            }),
          ],
          inner,
        ),
      );
    };
    this.routes = new RouteTable(
      policy?.routes ?? [],
      (route: Route) => build(route.name),
      build(DEFAULT_ROUTE),
    );
  }

  serve(call: Call): Promise<void> {
    return this.routes.match(call.method, call.path)(call);
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

    upgrade(req: ClientRequest, socket: Socket, upgradeHead: Buffer): void {
      tunnelUpgrade(req, socket, upgradeHead, req.url, current().appAddress, undefined);
    },
  };
}
