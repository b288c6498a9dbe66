import { z } from 'zod';

/** `GET /v1/health`: liveness, database kind and how often the collector scrapes proxies. */
export const CollectorHealthSchema = z.object({
  status: z.literal('ok'),
  database: z.enum(['sqlite', 'postgresql']),
  scrapeIntervalSeconds: z.number(),
  /** Whether this collector scrapes; of several on one PostgreSQL database, one does. */
  scraping: z.boolean(),
});

export type CollectorHealth = z.infer<typeof CollectorHealthSchema>;
