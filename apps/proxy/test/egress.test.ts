import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressRefusedError, EgressRules } from '../src/egress/egress-rules.js';
import {
  deadAddress,
  metric,
  promtoolCheck,
  scrape,
  send,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers.js';

const run = promisify(execFile);

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
  return stdout;
}

/** Distinct values of `label` among the samples of `name`. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  const pattern = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match !== null) values.add(match[1]!);
  }
  return values;
}

describe('egress: traffic to hosts outside the mesh', () => {
  let app: Upstream;
  let tls: https.Server;
  let tlsAddress: string;
  let certDir: string;
  let web: RunningProxy;
  let denied: RunningProxy;

  beforeAll(async () => {
    app = await startUpstream((req, res) => res.end(`outside ${req.method} ${req.url}`));
    certDir = await mkdtemp(join(tmpdir(), 'trellis-egress-'));
    const key = join(certDir, 'key.pem');
    const cert = join(certDir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    tls = https.createServer(
      { key: await readFile(key), cert: await readFile(cert) },
      (_req, res) => res.end('secret page'),
    );
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    tlsAddress = `127.0.0.1:${(tls.address() as AddressInfo).port}`;
    web = await startProxy({ service: 'web', staticConfig: { services: {} } });
    denied = await startProxy({ service: 'web', staticConfig: { services: {} }, egress: 'deny' });
  });

  afterAll(async () => {
    await web.close();
    await denied.close();
    await app.close();
    tls.closeAllConnections();
    tls.close();
    await rm(certDir, { recursive: true });
  });

  const external = { direction: 'outbound', src_service: 'web', dst_service: 'external' };

  it('forwards HTTP to an IP:port outside the mesh and counts it as external', async () => {
    const reply = await curl(
      '-x',
      `http://${web.addresses.outbound}`,
      `http://${app.address}/path?q=1`,
    );
    expect(reply).toBe('outside GET /path?q=1');
    const text = await scrape(web.addresses.admin);
    expect(
      metric(text, 'response_total', {
        ...external,
        dst_host: app.address,
        status_code: '200',
        classification: 'success',
      }),
    ).toBe(1);
    expect(promtoolCheck(text)).toBe('');
  });

  it('tunnels HTTPS through CONNECT and counts the connection and its bytes', async () => {
    const page = await curl(
      '-x',
      `http://${web.addresses.outbound}`,
      '--cacert',
      join(certDir, 'cert.pem'),
      `https://${tlsAddress}/`,
    );
    expect(page).toBe('secret page');
    const text = await scrape(web.addresses.admin);
    const host = { ...external, dst_host: tlsAddress };
    expect(metric(text, 'tcp_open_total', host)).toBe(1);
    expect(metric(text, 'tcp_read_bytes_total', host)).toBeGreaterThan(0);
    expect(metric(text, 'tcp_write_bytes_total', host)).toBeGreaterThan(0);
    expect(promtoolCheck(text)).toBe('');
  });

  it('answers 403 egress-denied with --egress deny, for requests and tunnels', async () => {
    const reply = await send(denied.addresses.outbound, `http://${app.address}/`);
    expect(reply.status).toBe(403);
    expect(reply.headers['x-trellis-error']).toBe('egress-denied');
    const head = await curl(
      '-x',
      `http://${denied.addresses.outbound}`,
      '-k',
      '-o',
      '/dev/null',
      '-w',
      '%{http_connect}',
      `https://${tlsAddress}/`,
    ).catch((error: { stdout: string }) => error.stdout);
    expect(head).toBe('403');
    expect(app.requests).toBe(1);
  });

  it('never reaches link-local metadata or the proxy itself', async () => {
    const metadata = await send(web.addresses.outbound, 'http://169.254.169.254/latest/meta-data');
    expect(metadata.status).toBe(403);
    expect(metadata.headers['x-trellis-error']).toBe('egress-denied');
    expect(metadata.text).toContain('link-local');
    const tunnel = await curl(
      '-x',
      `http://${web.addresses.outbound}`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_connect}',
      'https://169.254.169.254/',
    ).catch((error: { stdout: string }) => error.stdout);
    expect(tunnel).toBe('403');
    const self = await send(web.addresses.outbound, `http://${web.addresses.admin}/metrics`);
    expect(self.status).toBe(403);
    expect(self.text).toContain("this proxy's own listener");
  });

  it('applies the rules to every address a name resolves to', async () => {
    const port = Number(web.addresses.outbound.split(':')[1]);
    const rules = new EgressRules(() => [port]);
    const resolve = (p: number) =>
      new Promise<Error | null>((done) =>
        rules.lookupFor(p)('localhost', {}, (error) => done(error)),
      );
    expect(await resolve(port)).toBeInstanceOf(EgressRefusedError);
    expect(await resolve(port + 1)).toBeNull();
  });

  it('labels the first 100 hosts by name and the rest as other', async () => {
    const proxy = await startProxy({ service: 'web', staticConfig: { services: {} } });
    try {
      const port = (await deadAddress()).split(':')[1]!;
      for (let i = 1; i <= 150; i++) {
        const reply = await send(proxy.addresses.outbound, `http://127.0.0.${i}:${port}/`);
        expect(reply.status).toBe(502);
      }
      const text = await scrape(proxy.addresses.admin);
      const hosts = labelValues(text, 'response_total', 'dst_host');
      expect(hosts.size).toBe(101);
      expect(hosts.has('other')).toBe(true);
      expect(metric(text, 'response_total', { ...external, dst_host: 'other' })).toBe(50);
      expect(metric(text, 'response_total', external)).toBe(150);
    } finally {
      await proxy.close();
    }
  });
});
