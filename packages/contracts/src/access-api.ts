import { z } from 'zod';

/** Who a bearer token belongs to (`GET /v1/whoami`) and the error body every API error uses. */

export const ROLES = ['viewer', 'operator', 'proxy'] as const;
export type Role = (typeof ROLES)[number];

export const WhoAmISchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
});

export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type WhoAmI = z.infer<typeof WhoAmISchema>;
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
