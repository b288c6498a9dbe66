import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { serviceOfAuthority, splitAbsoluteTarget } from './authority.js';
import { Call } from './call.js';
import type { RequestHandlers } from './downstream/client-connection.js';
import type { ClientRequest } from './downstream/client-request.js';
import type { ClientResponse } from './downstream/client-response.js';
import type { DestinationRegistry } from './destination-registry.js';
import { prepareRequestHead } from './hop-by-hop.js';
import type { ExternalDestinations } from './egress/external-destinations.js';
import { tunnelUpgrade } from './upgrade.js';

// A host that is not a mesh service: a name with a dot, or an IP address (a bracketed IPv6
// one included). Mesh services are single DNS labels.
const EXTERNAL_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

interface Addressed {
  service: string;
  /** The authority as sent: absolute-form's, else the Host header. */
  authority: string;
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
      authority: absolute.authority,
      path: absolute.path,
      host: absolute.authority,
    };
  }
  if (host === undefined || host === '') return undefined;
  return {
    service: serviceOfAuthority(host),
    authority: host,
    path: target,
    host: undefined,
  };
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

/** The outbound listener: the app's requests, to any destination service or outside host. */
export function outboundListener(
  self: string,
  registry: DestinationRegistry,
  egress: ExternalDestinations,
): RequestHandlers {
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
      else {
        const authority = to.authority.toLowerCase();
        if (EXTERNAL_HOST.test(authority)) void egress.serve(call, authority);
        else void registry.resolve(to.service).then((resolved) => resolved.serve(call));
      }
    },

    connect(req: ClientRequest, socket: Socket, head: Buffer): void {
      egress.tunnel(req.url, socket, head);
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
