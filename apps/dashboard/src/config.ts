import { z } from 'zod';

/** The dashboard's one reader of the environment (server side only). */
const ConfigSchema = z.object({
  collectorUrl: z.url().default('http://127.0.0.1:7700'),
});

export type DashboardConfig = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = ConfigSchema.safeParse({ collectorUrl: env.TRELLIS_COLLECTOR_URL || undefined });
  if (!parsed.success) {
    throw new Error(`TRELLIS_COLLECTOR_URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
