import { z } from 'zod';

/** `GET /v1/proxies`: the data plane as the control plane sees it. */

export const PROXY_STATES = ['live', 'stale'] as const;

export const ProxyStatusSchema = z.object({
  service: z.string(),
  instanceId: z.string(),
  inboundAddress: z.string(),
  adminAddress: z.string(),
  proxyVersion: z.string(),
  state: z.enum(PROXY_STATES),
  lastHeartbeat: z.iso.datetime().nullable(),
  lastScrape: z.iso.datetime().nullable(),
  lastScrapeError: z.string().nullable().optional(),
  /** Per destination service: the policy version this proxy runs. */
  applied: z.record(
    z.string(),
    z.object({
      policyVersion: z.number().int(),
      rejectedVersion: z.number().int().optional(),
      error: z.string().optional(),
    }),
  ),
});

export const ProxyListSchema = z.object({
  proxies: z.array(ProxyStatusSchema),
});

export type ProxyStatus = z.infer<typeof ProxyStatusSchema>;
export type ProxyList = z.infer<typeof ProxyListSchema>;
