import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DemoError } from '../errors.js';
import { TRAFFIC_SERVICE, loadDemoMesh, type DemoMesh } from '../mesh/demo-config.js';
import { generateMesh } from '../mesh/mesh-generator.js';
import { writeMeshRuntime } from '../mesh/mesh-runtime.js';
import { HEALTH_PATH } from '../sample-apps/sample-service.js';
import {
  demoProxyTokens,
  readOperatorToken,
  seedRoutePolicies,
  type CollectorAccess,
} from './collector-access.js';
import type { LauncherOptions } from './launcher-options.js';
import { describePortOwner, portIsFree } from './port-owner.js';
import { planPorts, portRoles, type InstancePorts, type PortPlan } from './port-plan.js';
import { ProcessGroup, type Component } from './process-group.js';
import { exitedError, waitReady } from './readiness.js';

const COLLECTOR_READY_MS = 60_000;
const DASHBOARD_READY_MS = 90_000;
const MESH_READY_MS = 120_000;

/** Stop order, last first: the traffic, then the mesh, then what observes it. */
const STAGE = { controlPlane: 0, mesh: 1, traffic: 2 } as const;

export interface LauncherPaths {
  /** The repository root: the apps' built entry points are found from here. */
  root: string;
}

export interface DemoSummary {
  mesh: DemoMesh;
  plan: PortPlan;
  collectorUrl: string;
  dashboardUrl: string | undefined;
  operatorToken: string;
  /** Every child's process group id, for whoever must check they are gone. */
  pids: number[];
}

function resolveMesh(options: LauncherOptions): DemoMesh {
  const mesh =
    options.services === undefined
      ? loadDemoMesh(options.meshFile)
      : generateMesh(options.services, options.rps);
  return options.rps === undefined
    ? mesh
    : { ...mesh, traffic: { ...mesh.traffic, rps: options.rps } };
}

async function checkPortsFree(plan: PortPlan): Promise<void> {
  const roles = portRoles(plan);
  const free = await Promise.all(roles.map(({ port }) => portIsFree(port)));
  const taken = roles.filter((_, i) => !free[i]);
  if (taken.length === 0) return;
  const lines = taken.slice(0, 5).map(({ port, role }) => {
    const owner = describePortOwner(port);
    return `  port ${port} (${role}) is in use${owner ? ` by ${owner}` : ''}`;
  });
  if (taken.length > 5) lines.push(`  … and ${taken.length - 5} more`);
  throw new DemoError(
    'port-in-use',
    `cannot start: ports the demo needs are taken\n${lines.join('\n')}\n` +
      'Stop what holds them (an earlier demo?) or move the demo with --collector-port, --dashboard-port or --base-port.',
  );
}

/**
 * `npm start`: the collector, the dashboard, the sample services, a proxy beside every
 * instance and the traffic generator, each a child in its own process group logging to
 * `<data dir>/logs/<component>.log`, each announced with one line once it is ready.
 */
export class DemoLauncher {
  private readonly group: ProcessGroup;
  private readonly logDir: string;
  private failure: ((error: DemoError) => void) | undefined;

  constructor(
    private readonly options: LauncherOptions,
    private readonly paths: LauncherPaths,
    private readonly print: (line: string) => void,
  ) {
    this.logDir = join(options.dataDir, 'logs');
    this.group = new ProcessGroup(this.logDir, (component) => {
      this.failure?.(exitedError(component));
    });
  }

  /** Child process group ids started so far. */
  get pids(): number[] {
    return this.group.all.map((component) => component.pid);
  }

  /**
   * Resolves once everything is ready. `onFailure` hears of any child that exits on its own
   * afterwards; the caller then stops the rest.
   */
  async start(onFailure: (error: DemoError) => void): Promise<DemoSummary> {
    let failedEarly: DemoError | undefined;
    this.failure = (error) => {
      failedEarly = error;
    };
    const summary = await this.startAll();
    if (failedEarly !== undefined) throw failedEarly;
    this.failure = onFailure;
    return summary;
  }

  stop(graceMs?: number): Promise<void> {
    this.failure = undefined;
    return this.group.stopAll(graceMs);
  }

  /** Last resort when the launcher itself is exiting: no child may outlive it. */
  killAllNow(): void {
    for (const pid of this.pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private async startAll(): Promise<DemoSummary> {
    const { options, paths } = this;
    const mesh = resolveMesh(options);
    const plan = planPorts(mesh, {
      collector: options.collectorPort,
      dashboard: options.dashboardPort,
      base: options.basePort,
    });
    await checkPortsFree(plan);

    mkdirSync(this.logDir, { recursive: true });
    const runtimeFile = join(options.dataDir, 'demo-mesh.runtime.json');
    writeMeshRuntime(runtimeFile, { mesh, plan });
    const shownLogDir = relative(process.cwd(), this.logDir) || '.';

    const access: CollectorAccess = {
      url: `http://127.0.0.1:${plan.collector}`,
      dataDir: options.dataDir,
      databaseUrl: `file:${join(options.dataDir, 'trellis.db')}`,
      collectorMain: join(paths.root, 'apps/collector/dist/main.js'),
    };
    const collector = this.group.start({
      name: 'collector',
      stage: STAGE.controlPlane,
      command: process.execPath,
      args: [
        access.collectorMain,
        '--listen',
        `127.0.0.1:${plan.collector}`,
        '--database-url',
        access.databaseUrl,
        '--scrape-interval',
        options.scrapeInterval,
      ],
      cwd: paths.root,
    });
    await waitReady(collector, [`${access.url}/v1/health`], COLLECTOR_READY_MS);
    this.print(`✓ collector ready on ${access.url}`);

    const operatorToken = readOperatorToken(options.dataDir);
    const proxyTokens = await demoProxyTokens(access, [
      ...Object.keys(mesh.services),
      TRAFFIC_SERVICE,
    ]);
    await seedRoutePolicies(access, operatorToken, mesh);

    const dashboardUrl =
      plan.dashboard === undefined ? undefined : `http://127.0.0.1:${plan.dashboard}`;
    const dashboard =
      plan.dashboard === undefined
        ? undefined
        : this.group.start({
            name: 'dashboard',
            stage: STAGE.controlPlane,
            command: process.execPath,
            args: [
              join(paths.root, 'node_modules/next/dist/bin/next'),
              'start',
              '--hostname',
              '127.0.0.1',
              '--port',
              String(plan.dashboard),
            ],
            cwd: join(paths.root, 'apps/dashboard'),
            env: { TRELLIS_COLLECTOR_URL: access.url, NEXT_TELEMETRY_DISABLED: '1' },
          });

    const apps = this.group.start({
      name: 'sample-apps',
      stage: STAGE.mesh,
      command: process.execPath,
      args: [join(paths.root, 'apps/demo/dist/sample-apps/main.js'), runtimeFile],
      cwd: paths.root,
    });
    await waitReady(
      apps,
      plan.instances.map((instance) => `http://127.0.0.1:${instance.app}${HEALTH_PATH}`),
      MESH_READY_MS,
    );
    this.print(
      `✓ sample apps ready: ${Object.keys(mesh.services).length} services, ${plan.instances.length} instances`,
    );

    const proxies = [...plan.instances, plan.traffic].map((instance) =>
      this.startProxy(instance, access.url, proxyTokens.get(instance.service)!),
    );
    await Promise.all(
      proxies.map(({ component, instance }) =>
        waitReady(component, [`http://127.0.0.1:${instance.admin}/ready`], MESH_READY_MS),
      ),
    );
    this.print(`✓ ${proxies.length} proxies ready, registered with the collector`);

    const traffic = this.group.start({
      name: 'traffic',
      stage: STAGE.traffic,
      command: process.execPath,
      args: [join(paths.root, 'apps/demo/dist/traffic/main.js'), runtimeFile],
      cwd: paths.root,
    });
    this.print(`✓ traffic: ${mesh.traffic.rps} req/s to ${mesh.entry}`);

    if (dashboard !== undefined && dashboardUrl !== undefined) {
      await waitReady(dashboard, [`${dashboardUrl}/login`], DASHBOARD_READY_MS);
      this.print(`✓ dashboard ready on ${dashboardUrl}`);
    }
    if (traffic.child.exitCode !== null) throw exitedError(traffic);

    this.print(
      [
        '',
        `  Trellis demo is running: ${Object.keys(mesh.services).length} services, ${plan.instances.length} instances, ${mesh.traffic.rps} req/s.`,
        dashboardUrl === undefined
          ? `    Collector  ${access.url}/v1 (no dashboard: --no-dashboard)`
          : `    Dashboard  ${dashboardUrl}   sign in with the token below`,
        `    Token      ${operatorToken}`,
        `               (operator role; also in ${relative(process.cwd(), join(options.dataDir, 'operator.token'))})`,
        `    Logs       ${shownLogDir}/<component>.log`,
        '  Press Ctrl-C to stop everything.',
        '',
      ].join('\n'),
    );
    return {
      mesh,
      plan,
      collectorUrl: access.url,
      dashboardUrl,
      operatorToken,
      pids: this.pids,
    };
  }

  private startProxy(
    instance: InstancePorts,
    controlPlane: string,
    token: string,
  ): { component: Component; instance: InstancePorts } {
    const args = [
      join(this.paths.root, 'apps/proxy/dist/main.js'),
      '--service',
      instance.service,
      '--inbound',
      `127.0.0.1:${instance.inbound}`,
      '--outbound',
      `127.0.0.1:${instance.outbound}`,
      '--admin',
      `127.0.0.1:${instance.admin}`,
      '--control-plane',
      controlPlane,
    ];
    if (instance.service !== TRAFFIC_SERVICE) args.push('--app', `127.0.0.1:${instance.app}`);
    const component = this.group.start({
      name: `proxy-${instance.id}`,
      stage: STAGE.mesh,
      command: process.execPath,
      args,
      cwd: this.paths.root,
      // Through the environment, not argv, so the token does not show in `ps`.
      env: { TRELLIS_TOKEN: token },
    });
    return { component, instance };
  }
}
