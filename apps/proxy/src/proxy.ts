import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import {
  DestinationConfigSchema,
  PolicySpecSchema,
  StaticConfigSchema,
  type DestinationConfig,
  type ProxyHeartbeatInput,
  splitHostPort,
} from '@trellis/contracts';
import type { z } from 'zod';
import { createAdminServer } from './admin-server.js';
import { Endpoint, EndpointRegistry } from './balancer.js';
import { watchConfigFile } from './config-file-watcher.js';
import { ControlPlaneClient } from './control-plane-client.js';
import { WorkloadIdentity } from './identity/workload-identity.js';
import type { StackContext } from './destination.js';
import { DestinationRegistry, type UnknownNameLimits } from './destination-registry.js';
import { ProxyServer } from './downstream/proxy-server.js';
import { EgressRules, type EgressMode } from './egress/egress-rules.js';
import { ExternalDestinations } from './egress/external-destinations.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { InboundRoutes, inboundListener } from './inbound.js';
import { listen } from './listen.js';
import { outboundListener } from './outbound.js';

/** The static config format as written (defaults not yet filled in). */
export type StaticConfigInput = z.input<typeof StaticConfigSchema>;

export const PROXY_VERSION = '0.1.0';

// How long the first request to a new destination waits for the control plane's answer.
const FIRST_CONFIG_WAIT_MS = 5_000;
const DEFAULT_UNKNOWN_WATCHES = 32;
const DEFAULT_UNKNOWN_WATCH_IDLE_MS = 60_000;
// How long close() lets in-flight requests finish before cutting connections.
const DRAIN_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

export interface ProxyOptions {
  service: string;
  /** HOST:PORT; port 0 picks a free one (see the addresses start() returns). */
  inbound: string;
  outbound: string;
  admin: string;
  /** The local app the inbound side forwards to. */
  app?: string | undefined;
  controlPlane?: string | undefined;
  token?: string | undefined;
  /** Static config file, reloaded on change and by reloadConfigFile(). */
  configFile?: string | undefined;
  /** Static config given directly, in the file's format. */
  staticConfig?: StaticConfigInput | undefined;
  /** How long a client may take to send a request head before a 408 (default 30 s). */
  headersTimeoutMs?: number | undefined;
  /** How long an upstream exchange may go without a byte either way before it is cut (5 min). */
  streamIdleTimeoutMs?: number | undefined;
  /** Whether requests to hosts outside the mesh are forwarded (default) or refused. */
  egress?: EgressMode | undefined;
  /**
   * How many host names the control plane does not know are watched at once (32), and how long
   * such a watch stays open without a request naming it (60 s).
   */
  unknownNames?: Partial<Pick<UnknownNameLimits, 'watches' | 'idleMs'>> | undefined;
  /** One line per event worth an operator's attention; stderr by default. */
  log?: ((line: string) => void) | undefined;
}

export interface ProxyAddresses {
  inbound: string;
  outbound: string;
  admin: string;
}

export interface AppliedState {
  policyVersion: number;
  revision: number;
  rejectedVersion?: number;
  error?: string;
}

export type ApplyResult = { ok: true } | { ok: false; error: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function closeAdminServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * One trellis-proxy: inbound, outbound and admin listeners over a config that can change at
 * any time (static file, direct calls, or the control plane) without dropping requests.
 */
export class TrellisProxy {
  readonly metrics = new ProxyMetrics();
  private readonly log: (line: string) => void;
  private readonly endpoints: EndpointRegistry;
  private readonly context: StackContext;
  private readonly registry: DestinationRegistry;
  private readonly egress: ExternalDestinations;
  private readonly app: Endpoint | undefined;
  private inboundRoutes: InboundRoutes;
  private readonly servers: { inbound: ProxyServer; outbound: ProxyServer; admin: Server };
  private readonly controlPlane: ControlPlaneClient | undefined;
  /** This proxy's certificate from the control plane; none in static mode. */
  private readonly identity: WorkloadIdentity | undefined;
  private readonly applied = new Map<string, AppliedState>();
  private readonly watched = new Set<string>();
  private staticVersion: string | undefined;
  private staticRevision = 0;
  private configLoaded = false;
  private addresses: ProxyAddresses | undefined;
  private fileWatcher: { close(): void } | undefined;

  constructor(private readonly options: ProxyOptions) {
    this.log = options.log ?? ((line) => console.error(`trellis-proxy: ${line}`));
    const streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
    this.endpoints = new EndpointRegistry(streamIdleTimeoutMs);
    this.context = {
      self: options.service,
      metrics: this.metrics,
      endpoints: this.endpoints,
      streamIdleTimeoutMs,
      log: (message, error) =>
        this.log(
          `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ),
    };
    if (options.controlPlane !== undefined) {
      this.controlPlane = new ControlPlaneClient({
        url: options.controlPlane,
        token: options.token ?? '',
        heartbeat: () => this.heartbeat(),
        log: this.log,
      });
      const controlPlane = this.controlPlane;
      this.identity = new WorkloadIdentity({
        service: options.service,
        requestCertificate: (csr) => controlPlane.requestCertificate(options.service, csr),
        log: this.log,
      });
    }
    this.registry = new DestinationRegistry(
      this.context,
      this.controlPlane === undefined ? undefined : (service) => this.watch(service),
      {
        watches: options.unknownNames?.watches ?? DEFAULT_UNKNOWN_WATCHES,
        idleMs: options.unknownNames?.idleMs ?? DEFAULT_UNKNOWN_WATCH_IDLE_MS,
        firstConfigWaitMs: FIRST_CONFIG_WAIT_MS,
      },
    );
    this.app =
      options.app === undefined ? undefined : new Endpoint(options.app, streamIdleTimeoutMs);
    this.inboundRoutes = new InboundRoutes(undefined, this.context, this.app);
    const rules = new EgressRules(() =>
      this.addresses === undefined
        ? []
        : Object.values(this.addresses).map((address) => splitHostPort(address).port),
    );
    this.egress = new ExternalDestinations(this.context, options.egress ?? 'allow', rules);
    const serverOptions = {
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      onError: (error: unknown) => this.context.log('request failed inside the proxy', error),
    };
    this.servers = {
      inbound: new ProxyServer(
        inboundListener(() => this.inboundRoutes),
        serverOptions,
      ),
      outbound: new ProxyServer(
        outboundListener(options.service, this.registry, this.egress),
        serverOptions,
      ),
      admin: createAdminServer(
        {
          metrics: this.metrics,
          isReady: () => this.configLoaded,
          configView: () => this.configView(),
        },
        this.context.log,
      ),
    };
  }

  /** Loads the initial config and listens. Rejects if the config file is invalid. */
  async start(): Promise<ProxyAddresses> {
    if (this.options.configFile !== undefined) {
      const result = await this.reloadConfigFile();
      if (!result.ok) throw new Error(result.error);
      this.fileWatcher = watchConfigFile(
        this.options.configFile,
        () => void this.reloadConfigFile(),
      );
    } else if (this.options.staticConfig !== undefined) {
      const result = this.applyStaticConfig(this.options.staticConfig);
      if (!result.ok) throw new Error(result.error);
    } else if (this.controlPlane === undefined) {
      this.configLoaded = true;
    }
    const [inbound, outbound, admin] = await Promise.all([
      this.servers.inbound.listen(this.options.inbound),
      this.servers.outbound.listen(this.options.outbound),
      listen(this.servers.admin, this.options.admin),
    ]);
    this.addresses = { inbound, outbound, admin };
    if (this.controlPlane !== undefined) {
      this.watch(this.options.service);
      this.controlPlane.startHeartbeats();
      this.identity?.start();
    }
    return this.addresses;
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then releases everything. */
  async close(): Promise<void> {
    this.fileWatcher?.close();
    this.registry.close();
    this.identity?.close();
    await this.controlPlane?.close();
    await Promise.all([
      this.servers.inbound.close(DRAIN_MS),
      this.servers.outbound.close(DRAIN_MS),
      closeAdminServer(this.servers.admin),
    ]);
    await Promise.all([this.endpoints.closeAll(), this.egress.closeAll()]);
    await this.app?.destroy();
  }

  get ready(): boolean {
    return this.configLoaded;
  }

  /** Re-reads the config file; an invalid one leaves the config in force untouched. */
  async reloadConfigFile(): Promise<ApplyResult> {
    const path = this.options.configFile;
    if (path === undefined) return { ok: false, error: 'no config file configured' };
    let input: unknown;
    try {
      input = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      return this.rejectFile(path, error instanceof Error ? error.message : String(error));
    }
    const result = this.applyStaticConfig(input);
    return result.ok ? result : this.rejectFile(path, result.error);
  }

  private rejectFile(path: string, error: string): ApplyResult {
    const kept =
      this.staticVersion === undefined
        ? 'no config loaded yet'
        : `keeping version "${this.staticVersion}"`;
    const line = `config file ${path} rejected (${kept}): ${error}`;
    this.log(line);
    return { ok: false, error: line };
  }

  /** Replaces the whole static config: destinations, their policies and endpoints. */
  applyStaticConfig(input: unknown): ApplyResult {
    const parsed = StaticConfigSchema.safeParse(input);
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
    const revision = ++this.staticRevision;
    const services = parsed.data.services;
    for (const service of this.registry.services()) {
      if (!Object.hasOwn(services, service)) this.registry.remove(service);
    }
    for (const [service, entry] of Object.entries(services)) {
      const spec = entry.policy ?? PolicySpecSchema.parse({});
      this.install({
        service,
        revision,
        endpoints: entry.endpoints,
        policy: { service, version: 0, ...spec },
      });
    }
    if (!Object.hasOwn(services, this.options.service)) {
      this.inboundRoutes = new InboundRoutes(undefined, this.context, this.app);
    }
    this.staticVersion = parsed.data.version;
    this.configLoaded = true;
    return { ok: true };
  }

  /**
   * Applies a DestinationConfig as pushed by the control plane (JSON text or parsed). One it
   * cannot apply leaves the previous config in force and is reported in the next heartbeat.
   */
  applyDestinationConfig(input: unknown): ApplyResult {
    let data = input;
    if (typeof input === 'string') {
      try {
        data = JSON.parse(input);
      } catch (error) {
        const message = `config is not JSON: ${error instanceof Error ? error.message : String(error)}`;
        this.log(`rejected a config from the control plane: ${message}`);
        return { ok: false, error: message };
      }
    }
    const parsed = DestinationConfigSchema.safeParse(data);
    let error: string | undefined;
    if (!parsed.success) error = describeIssues(parsed.error);
    else if (parsed.data.policy.service !== parsed.data.service) {
      error = `policy is for "${parsed.data.policy.service}", not "${parsed.data.service}"`;
    }
    if (parsed.success && error === undefined) {
      this.install(parsed.data);
      if (parsed.data.service === this.options.service) this.configLoaded = true;
      return { ok: true };
    }
    const raw = (typeof data === 'object' && data !== null ? data : {}) as {
      service?: unknown;
      policy?: { version?: unknown };
    };
    const service = typeof raw.service === 'string' ? raw.service : '(unknown)';
    const rejectedVersion = raw.policy?.version;
    const previous = this.applied.get(service);
    if (previous !== undefined || this.watched.has(service)) {
      this.applied.set(service, {
        policyVersion: previous?.policyVersion ?? 0,
        revision: previous?.revision ?? 0,
        ...(typeof rejectedVersion === 'number' &&
        Number.isInteger(rejectedVersion) &&
        rejectedVersion >= 0
          ? { rejectedVersion }
          : {}),
        error: error!.slice(0, 2000),
      });
    }
    this.log(`rejected config for "${service}", keeping the previous one: ${error}`);
    return { ok: false, error: error! };
  }

  private install(config: DestinationConfig): void {
    this.registry.apply(config);
    if (config.service === this.options.service) {
      this.inboundRoutes = new InboundRoutes(config.policy, this.context, this.app);
    }
    this.applied.set(config.service, {
      policyVersion: config.policy.version,
      revision: config.revision,
    });
  }

  /** Watches a service's config; the function returned stops it and forgets the service. */
  private watch(service: string): () => void {
    const controlPlane = this.controlPlane;
    if (controlPlane === undefined || this.watched.has(service)) return () => undefined;
    this.watched.add(service);
    const stop = controlPlane.watch(service, (data) => {
      this.applyDestinationConfig(data);
      controlPlane.reportNow();
    });
    return () => {
      stop();
      this.watched.delete(service);
      this.applied.delete(service);
    };
  }

  heartbeat(): ProxyHeartbeatInput {
    const addresses = this.addresses;
    const inbound = addresses?.inbound ?? this.options.inbound;
    return {
      service: this.options.service,
      instanceId: `${hostname()}-${process.pid}-${splitHostPort(inbound).port}`.slice(0, 128),
      inboundAddress: inbound,
      adminAddress: addresses?.admin ?? this.options.admin,
      proxyVersion: PROXY_VERSION,
      applied: Object.fromEntries(this.applied),
    };
  }

  configView(): unknown {
    return {
      service: this.options.service,
      source:
        this.controlPlane !== undefined
          ? 'control-plane'
          : this.options.configFile !== undefined
            ? 'file'
            : 'static',
      version: this.staticVersion ?? null,
      ready: this.configLoaded,
      identity: this.identity?.current
        ? {
            spiffeId: this.identity.current.spiffeId,
            notAfter: this.identity.current.notAfter.toISOString(),
          }
        : null,
      app: this.options.app ?? null,
      destinations: Object.fromEntries(
        this.registry.configs().map((config) => [
          config.service,
          {
            revision: config.revision,
            policyVersion: config.policy.version,
            endpoints: config.endpoints,
            policy: config.policy,
          },
        ]),
      ),
      applied: Object.fromEntries(this.applied),
      unknownWatches: this.registry.unknownWatches(),
    };
  }
}

export function createProxy(options: ProxyOptions): TrellisProxy {
  return new TrellisProxy(options);
}
