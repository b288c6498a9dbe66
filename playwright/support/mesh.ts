import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { ROOT } from './system';

/**
 * A small real mesh: two upstream apps (`web` calls `catalog`), each behind a real
 * trellis-proxy registered with the collector, and steady traffic into `web` (20 requests a
 * second). `catalog`'s `GET /items/{id}` takes about 40 ms and fails every tenth request with
 * a 500, which `web` passes on: both services run at a 90 % success rate.
 */
export interface Mesh {
  /** Requests that reached the catalog app so far, and how many of them it failed. */
  catalogServed(): { total: number; failed: number };
  stop(): Promise<void>;
}

export interface MeshOptions {
  collectorUrl: string;
  /** A proxy token bound to `service`. */
  proxyToken: (service: string) => string;
  /** The first of 8 consecutive ports the mesh listens on. */
  basePort: number;
}

interface ProxyPorts {
  inbound: number;
  outbound: number;
  admin: number;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function startProxy(
  service: string,
  app: number,
  ports: ProxyPorts,
  { collectorUrl, proxyToken }: MeshOptions,
): ChildProcess {
  return spawn(
    process.execPath,
    [
      'apps/proxy/dist/main.js',
      '--service',
      service,
      '--inbound',
      `127.0.0.1:${ports.inbound}`,
      '--app',
      `127.0.0.1:${app}`,
      '--outbound',
      `127.0.0.1:${ports.outbound}`,
      '--admin',
      `127.0.0.1:${ports.admin}`,
      '--control-plane',
      collectorUrl,
      '--token',
      proxyToken(service),
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
}

/** Until the proxy's admin `/ready` says it has its config from the collector. */
async function waitUntilReady(adminPort: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`http://127.0.0.1:${adminPort}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the proxy with admin port ${adminPort} did not become ready`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Start it after the collector: a proxy that started earlier has its first scrape taken as a baseline. */
export async function startMesh(options: MeshOptions): Promise<Mesh> {
  const port = options.basePort;
  const catalogApp = port;
  const webApp = port + 1;
  const catalogProxy = { inbound: port + 2, outbound: port + 3, admin: port + 4 };
  const webProxy = { inbound: port + 5, outbound: port + 6, admin: port + 7 };

  const served = { total: 0, failed: 0 };
  const catalog = createServer((req, res) => {
    served.total += 1;
    const fail = served.total % 10 === 0;
    if (fail) served.failed += 1;
    setTimeout(() => {
      res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url }));
    }, 40);
  });
  // web asks catalog through its own outbound proxy, addressing it by service name.
  const web = createServer((_req, res) => {
    const id = Math.floor(Math.random() * 100);
    const upstream = request(
      {
        host: '127.0.0.1',
        port: webProxy.outbound,
        path: `/items/${id}`,
        headers: { host: 'catalog' },
      },
      (answer) => {
        answer.resume();
        res.writeHead(answer.statusCode ?? 502);
        res.end();
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end();
  });
  await listen(catalog, catalogApp);
  await listen(web, webApp);
  // catalog first: once it is registered, web's first call finds it in discovery, and the
  // traffic measures the mesh rather than its start-up.
  const proxies = [startProxy('catalog', catalogApp, catalogProxy, options)];
  await waitUntilReady(catalogProxy.admin);
  proxies.push(startProxy('web', webApp, webProxy, options));
  await waitUntilReady(webProxy.admin);
  const traffic = setInterval(() => {
    const call = request({ host: '127.0.0.1', port: webProxy.inbound, path: '/' }, (answer) =>
      answer.resume(),
    );
    call.on('error', () => undefined);
    call.end();
  }, 50);
  return {
    catalogServed: () => ({ ...served }),
    async stop() {
      clearInterval(traffic);
      await Promise.all(proxies.map(stopProcess));
      catalog.closeAllConnections();
      web.closeAllConnections();
      await Promise.all([catalog, web].map((s) => new Promise((r) => s.close(r))));
    },
  };
}
