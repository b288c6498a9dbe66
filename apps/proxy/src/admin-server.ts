import { createServer, type Server, type ServerResponse } from 'node:http';
import type { ProxyMetrics } from './proxy-metrics.js';

export interface AdminView {
  metrics: ProxyMetrics;
  isReady(): boolean;
  /** The config in force, with its version, as JSON-ready data. */
  configView(): unknown;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, [
    'content-type',
    contentType,
    'content-length',
    String(Buffer.byteLength(body)),
  ]);
  res.end(body);
}

/**
 * How long a scraper's idle connection stays open: longer than any usual scrape interval
 * (Prometheus' default is one minute), so each scrape reuses the last one's connection. Node's
 * default of 5 s closes it just before a 5 s scrape would reuse it.
 */
const KEEP_ALIVE_TIMEOUT_MS = 75_000;

/** `/metrics` (Prometheus text), `/live`, `/ready` (config loaded), `/config`. */
export function createAdminServer(
  view: AdminView,
  log: (message: string, error: unknown) => void,
): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics':
        view.metrics.registry.metrics().then(
          (text) => send(res, 200, view.metrics.registry.contentType, text),
          (error: unknown) => {
            log('could not render metrics', error);
            send(res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n');
          },
        );
        return;
      case '/live':
        send(res, 200, 'text/plain; charset=utf-8', 'live\n');
        return;
      case '/ready':
        if (view.isReady()) send(res, 200, 'text/plain; charset=utf-8', 'ready\n');
        else send(res, 503, 'text/plain; charset=utf-8', 'no config loaded yet\n');
        return;
      case '/config':
        send(res, 200, 'application/json', `${JSON.stringify(view.configView(), null, 2)}\n`);
        return;
      default:
        send(
          res,
          404,
          'text/plain; charset=utf-8',
          'not found: try /metrics, /live, /ready, /config\n',
        );
    }
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}
