import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The dashboard's one reader of the environment (server side only). */
const ConfigSchema = z.object({
  collectorUrl: z.url().default('http://127.0.0.1:7700'),
  /**
   * Seals the session cookie. Without one, a random secret per process: sessions then end
   * when the dashboard restarts, which is safe but forces a new sign-in.
   */
  sessionSecret: z.string().min(32).optional(),
  secureCookies: z.boolean(),
  /** `next dev`: the CSP then lets React use eval for its error overlay. */
  development: z.boolean(),
});

export type DashboardConfig = z.infer<typeof ConfigSchema> & { sessionSecret: string };

// Next bundles server code per route, so a module-level value would differ between the action
// that seals a session and the handler that opens it: one secret per process, kept globally.
const SECRET_KEY = Symbol.for('trellis.dashboard.session-secret');
const globalSecrets = globalThis as typeof globalThis & { [SECRET_KEY]?: string };
const processSecret = (globalSecrets[SECRET_KEY] ??= randomBytes(32).toString('hex'));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = ConfigSchema.safeParse({
    collectorUrl: env.TRELLIS_COLLECTOR_URL || undefined,
    sessionSecret: env.TRELLIS_SESSION_SECRET || undefined,
    secureCookies: env.TRELLIS_SECURE_COOKIES === 'true',
    development: env.NODE_ENV === 'development',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`dashboard config ${issue?.path.join('.')}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...parsed.data, sessionSecret: parsed.data.sessionSecret ?? processSecret };
}
