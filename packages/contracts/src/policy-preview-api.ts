import { z } from 'zod';
import { PolicyDiffEntrySchema } from './policy-api.js';

/**
 * `POST /v1/policies/:service/preview {policy}`: validation of a draft and what it would have
 * done to the traffic observed recently, before anyone saves it.
 */

/** What a route's new timeout would have done to the requests of the look-back window. */
export const TimeoutWhatIfSchema = z.object({
  route: z.string(),
  timeoutMs: z.number(),
  windowSeconds: z.number(),
  requests: z.number(),
  /** Share 0…1 of those requests that took longer than the timeout; null without traffic. */
  wouldTimeOut: z.number().nullable(),
});

export const PolicyPreviewSchema = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  diff: z.array(PolicyDiffEntrySchema),
  whatIf: z.array(TimeoutWhatIfSchema),
});

export type TimeoutWhatIf = z.infer<typeof TimeoutWhatIfSchema>;
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;
