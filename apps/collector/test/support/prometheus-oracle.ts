import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Prometheus scraping the same proxies, so tests compare the collector's numbers with
 * PromQL's own answers rather than with a second implementation of ours.
 */
export class PrometheusOracle {
  private constructor(
    private readonly process: ChildProcess,
    private readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(targets: readonly string[]): Promise<PrometheusOracle> {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 900ms }',
        'scrape_configs:',
        '  - job_name: proxies',
        `    static_configs: [{ targets: [${targets.map((t) => `"${t}"`).join(', ')}] }]`,
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const oracle = new PrometheusOracle(child, `http://127.0.0.1:${port}`, dir);
    await oracle.until(async () => (await fetch(`${oracle.url}/-/ready`)).ok, 'Prometheus ready');
    return oracle;
  }

  /** The value of an instant query that returns one series, or undefined for none / NaN. */
  async query(promql: string): Promise<number | undefined> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      data: { result: { value: [number, string] }[] };
    };
    const value = body.data.result[0]?.value[1];
    return value === undefined || value === 'NaN' ? undefined : Number(value);
  }

  /** Waits (up to 15 s) until `check` holds, e.g. until Prometheus has scraped some traffic. */
  async until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
