import { z } from 'zod';
import { ServiceNameSchema } from './policy.js';

/**
 * `GET /v1/events` is a server-sent event stream of control-plane news; the SSE event name is
 * the type, its data the JSON below. `scrape` events come from the scrape loop.
 */
export const EVENT_TYPES = ['policy', 'proxy', 'scrape'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An accepted policy write or rollback. */
export const PolicyEventSchema = z.strictObject({
  service: ServiceNameSchema,
  version: z.number().int().min(1),
  author: z.string(),
  reason: z.string(),
  at: z.iso.datetime(),
});

/** A proxy instance joined discovery, went stale, or came back. */
export const PROXY_CHANGES = ['join', 'stale', 'return'] as const;
export const ProxyEventSchema = z.strictObject({
  service: ServiceNameSchema,
  instanceId: z.string(),
  inboundAddress: z.string(),
  change: z.enum(PROXY_CHANGES),
  at: z.iso.datetime(),
});

export type PolicyEvent = z.infer<typeof PolicyEventSchema>;
export type ProxyChange = (typeof PROXY_CHANGES)[number];
export type ProxyEvent = z.infer<typeof ProxyEventSchema>;

/** A completed scrape round: how many proxies answered and how many rows it stored. */
export const ScrapeEventSchema = z.strictObject({
  at: z.iso.datetime(),
  targets: z.number().int().min(0),
  failed: z.number().int().min(0),
  rows: z.number().int().min(0),
});
export type ScrapeEvent = z.infer<typeof ScrapeEventSchema>;
