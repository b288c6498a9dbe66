import http from 'node:http';
import { concretePath } from './route-path.js';

export interface ProxiedCall {
  /** The destination service, sent as `Host` so the proxy knows where it goes. */
  service: string;
  method: string;
  /** A route template; `{param}` segments are filled with made-up values. */
  path: string;
}

/**
 * Sends one request through an instance's outbound proxy, as a meshed app does, and answers
 * its status — or 0 when no response came (a refused or cut connection).
 */
export function sendThroughProxy(
  {
    agent,
    outboundPort,
    random,
  }: { agent: http.Agent; outboundPort: number; random: () => number },
  call: ProxiedCall,
  body: string | undefined,
): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: outboundPort,
        method: call.method,
        path: concretePath(call.path, random),
        agent,
        headers: {
          host: call.service,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': body.length }),
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', () => resolve(0));
      },
    );
    request.once('error', () => resolve(0));
    request.end(body);
  });
}
