import { z } from 'zod';

/** Every error the collector API answers: a stable `code` to branch on, a message for people. */
export const ApiErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** One entry of `details` of an `invalid-request` error: where the field is and what is wrong. */
export const FieldProblemSchema = z.strictObject({
  /** Dotted, starting with the request part: `body.policy.routes.0.timeoutMs`. */
  path: z.string(),
  message: z.string(),
});

export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
export type FieldProblem = z.infer<typeof FieldProblemSchema>;
