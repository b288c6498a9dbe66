import { z } from 'zod';
import { HostPortSchema } from './address.js';
import { freeText } from './free-text.js';
import { PolicySchema, PolicySpecSchema, ServiceNameSchema } from './policy.js';

/**
 * The wire format between proxies and the collector (control plane), and the static
 * `--config FILE` format that lets a proxy run without one. Both sides import these schemas.
 */

/** Splits `HOST:PORT` (host may be a bracketed IPv6 address) for `net.connect` and `listen`. */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(address.slice(colon + 1)) };
}

/** `HOST:PORT` for a bound socket address, bracketing IPv6. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const EndpointSchema = z.strictObject({
  /** The destination instance's inbound proxy. */
  address: HostPortSchema,
  instanceId: freeText(1, 128).optional(),
});

/**
 * Everything a proxy needs to send to one destination service. `revision` changes whenever
 * endpoints or policy change, so a watcher can tell news from repeats; it is 0 while the
 * collector knows no such service (no instance and no policy ever named it).
 */
export const DestinationConfigSchema = z.strictObject({
  service: ServiceNameSchema,
  revision: z.number().int().min(0),
  endpoints: z.array(EndpointSchema),
  policy: PolicySchema,
});

/**
 * `GET /v1/config/:service` answers a DestinationConfig. With `?watch=true` it is a
 * server-sent event stream: one `config` event (data: DestinationConfig JSON) at once and one
 * on every change.
 */
export const CONFIG_EVENT = 'config';

/** The static config file: endpoints and, optionally, a policy per destination service. */
export const StaticConfigSchema = z.strictObject({
  version: freeText(1, 128).default('static'),
  services: z.record(
    ServiceNameSchema,
    z.strictObject({
      endpoints: z.array(EndpointSchema).default([]),
      policy: PolicySpecSchema.optional(),
    }),
  ),
});

/** What a proxy runs for one destination service, as it reports in every heartbeat. */
export const AppliedPolicySchema = z.strictObject({
  policyVersion: z.number().int().min(0),
  revision: z.number().int().min(0),
  rejectedVersion: z.number().int().min(0).optional(),
  error: freeText(0, 2000).optional(),
});

/** What a proxy says when it registers and on every heartbeat (`POST /v1/proxies`). */
export const ProxyHeartbeatSchema = z.strictObject({
  service: ServiceNameSchema,
  instanceId: freeText(1, 128),
  inboundAddress: HostPortSchema,
  adminAddress: HostPortSchema,
  proxyVersion: freeText(1, 64),
  /** Per destination service: the policy version the proxy runs, or why it rejected a newer one. */
  applied: z.record(ServiceNameSchema, AppliedPolicySchema).default({}),
});

export const ProxyHeartbeatResponseSchema = z.strictObject({
  /** Seconds until the next heartbeat is due; three missed make the instance stale. */
  heartbeatIntervalSeconds: z.number().positive(),
});

export type Endpoint = z.infer<typeof EndpointSchema>;
export type DestinationConfig = z.infer<typeof DestinationConfigSchema>;
export type StaticConfig = z.infer<typeof StaticConfigSchema>;
export type AppliedPolicy = z.infer<typeof AppliedPolicySchema>;
export type ProxyHeartbeat = z.infer<typeof ProxyHeartbeatSchema>;
export type ProxyHeartbeatInput = z.input<typeof ProxyHeartbeatSchema>;
export type ProxyHeartbeatResponse = z.infer<typeof ProxyHeartbeatResponseSchema>;
