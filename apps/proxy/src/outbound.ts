import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { serviceOfAuthority, splitAbsoluteTarget } from './authority.js';
import { Call } from './call.js';
import type { RequestHandlers } from './downstream/client-connection.js';
import type { ClientRequest } from './downstream/client-request.js';
import type { ClientResponse } from './downstream/client-response.js';
import type { DestinationRegistry } from './destination-registry.js';
import { prepareRequestHead } from './hop-by-hop.js';
import { tunnelUpgrade } from './upgrade.js';

interface Addressed {
  service: string;
  path: string;
  /** For absolute-form: the authority, which replaces any Host header (RFC 9112 §3.2.2). */
  host: string | undefined;
}

/** Where an outbound request goes: absolute-form target, else the Host header. */
function address(req: ClientRequest, host: string | undefined): Addressed | undefined {
  const target = req.url;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const absolute = splitAbsoluteTarget(target);
    if (absolute === undefined || absolute.authority === '') return undefined;
    return {
      service: serviceOfAuthority(absolute.authority),
      path: absolute.path,
      host: absolute.authority,
    };
  }
  if (host === undefined || host === '') return undefined;
  return { service: serviceOfAuthority(host), path: target, host: undefined };
}

function replaceHost(headers: string[], host: string): void {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.length === 4 && headers[i]!.toLowerCase() === 'host') {
      headers[i + 1] = host;
      return;
    }
  }
  headers.push('host', host);
}

function badRequest(res: ClientResponse): void {
  const body = 'the request names no destination: send absolute-form or a Host header\n';
  res.writeHead(400, [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(body.length),
  ]);
  res.end(Buffer.from(body));
}

/** The outbound listener: the app's requests, to any destination service. */
export function outboundListener(self: string, registry: DestinationRegistry): RequestHandlers {
  return {
    request(req: ClientRequest, res: ClientResponse): void {
      const head = prepareRequestHead(req.rawHeaders, self);
      const to = address(req, head.host);
      if (to === undefined) {
        badRequest(res);
        return;
      }
      if (to.host !== undefined) replaceHost(head.headers, to.host);
      const call = new Call(req, res, to.path, head, self);
      const destination = registry.get(to.service);
      if (destination !== undefined) void destination.serve(call);
      else void registry.resolve(to.service).then((resolved) => resolved.serve(call));
    },

    upgrade(req: ClientRequest, socket: Socket, upgradeHead: Buffer): void {
      const host = prepareRequestHead(req.rawHeaders).host;
      const to = address(req, host);
      if (to === undefined) {
        socket.destroy();
        return;
      }
      void registry.resolve(to.service).then((destination) => {
        tunnelUpgrade(req, socket, upgradeHead, {
          path: to.path,
          address: destination.balancer.pick(performance.now())?.address,
          service: to.service,
          source: self,
          stats: destination.upgradeStats(req.method, to.path),
        });
      });
    },
  };
}
