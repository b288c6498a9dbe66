import { z } from 'zod';

/** `GET /v1/health`: liveness, database kind and how often the collector scrapes proxies. */
export const CollectorHealthSchema = z.object({
  status: z.literal('ok'),
  database: z.enum(['sqlite', 'postgresql']),
  scrapeIntervalSeconds: z.number(),
});

export type CollectorHealth = z.infer<typeof CollectorHealthSchema>;
