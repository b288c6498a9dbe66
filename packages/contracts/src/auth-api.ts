import { z } from 'zod';
import { ServiceNameSchema } from './policy.js';

/**
 * Bearer-token roles. `viewer` reads, `operator` reads and writes (and may act as a proxy),
 * `proxy` registers, heartbeats and watches its configuration.
 */
export const ROLES = ['viewer', 'operator', 'proxy'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** `GET /v1/whoami`: whom a token belongs to; the dashboard's login checks a token with it. */
export const WhoAmISchema = z.strictObject({
  name: z.string(),
  role: RoleSchema,
  /** A proxy token's service: the only one it may register and get certificates for. */
  service: ServiceNameSchema.optional(),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;
