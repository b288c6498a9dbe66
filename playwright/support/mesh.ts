import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { COLLECTOR_URL, ROOT } from '../servers';

/**
 * A small real mesh for the e2e specs: two upstream apps (`web` calls `catalog`), each behind a
 * real trellis-proxy registered with the e2e collector, and steady traffic into `web`.
 * `catalog`'s `GET /items/{id}` takes about 40 ms and fails one request in ten.
 */
export interface Mesh {
  stop(): Promise<void>;
}

const PORTS = {
  webApp: 18101,
  catalogApp: 18102,
  web: { inbound: 18111, outbound: 18112, admin: 18113 },
  catalog: { inbound: 18121, outbound: 18122, admin: 18123 },
};

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function startProxy(service: 'web' | 'catalog', app: number, token: string): ChildProcess {
  const ports = PORTS[service];
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
      COLLECTOR_URL,
      '--token',
      token,
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
}

export async function startMesh(proxyToken: string): Promise<Mesh> {
  let served = 0;
  const catalog = createServer((req, res) => {
    served += 1;
    const fail = served % 10 === 0;
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
        port: PORTS.web.outbound,
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
  await listen(catalog, PORTS.catalogApp);
  await listen(web, PORTS.webApp);
  const proxies = [
    startProxy('catalog', PORTS.catalogApp, proxyToken),
    startProxy('web', PORTS.webApp, proxyToken),
  ];
  const traffic = setInterval(() => {
    const call = request({ host: '127.0.0.1', port: PORTS.web.inbound, path: '/' }, (answer) =>
      answer.resume(),
    );
    call.on('error', () => undefined);
    call.end();
  }, 50);
  return {
    async stop() {
      clearInterval(traffic);
      for (const proxy of proxies) proxy.kill('SIGTERM');
      await Promise.all([catalog, web].map((s) => new Promise((r) => s.close(r))));
    },
  };
}
