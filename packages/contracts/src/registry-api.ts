import { z } from 'zod';
import { AppliedPolicySchema } from './control-plane.js';
import { ServiceNameSchema } from './policy.js';

/** `live` instances are in discovery; `stale` ones missed three heartbeats in a row. */
export const PROXY_STATUSES = ['live', 'stale'] as const;
export const ProxyStatusValueSchema = z.enum(PROXY_STATUSES);

const Timestamp = z.iso.datetime();

/** One proxy instance as `GET /v1/proxies` lists it. */
export const ProxyStatusSchema = z.strictObject({
  service: ServiceNameSchema,
  instanceId: z.string(),
  // As registered; rows older than today's address checks are listed all the same.
  inboundAddress: z.string(),
  adminAddress: z.string(),
  proxyVersion: z.string(),
  status: ProxyStatusValueSchema,
  registeredAt: Timestamp,
  lastHeartbeatAt: Timestamp,
  staleSince: Timestamp.nullable(),
  /** Null until the collector has scraped the instance's `/metrics` once. */
  lastScrape: z
    .strictObject({
      at: Timestamp,
      durationMs: z.number().int().min(0).nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
  /** Per destination service: the policy version the instance applied or rejected. */
  applied: z.record(ServiceNameSchema, AppliedPolicySchema),
});

export const ProxyListSchema = z.strictObject({
  heartbeatIntervalSeconds: z.number().positive(),
  proxies: z.array(ProxyStatusSchema),
});

export type ProxyStatusValue = z.infer<typeof ProxyStatusValueSchema>;
export type ProxyStatus = z.infer<typeof ProxyStatusSchema>;
export type ProxyList = z.infer<typeof ProxyListSchema>;
