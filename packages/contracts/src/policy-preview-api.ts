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

/**
 * What a route's new retry settings would have done: the failures observed, the retries they
 * would have asked for (each failure retried up to maxRetries), and how many the service's
 * retry budget would have allowed over the window (ratio × requests + minRetriesPerSecond ×
 * window, as the proxies enforce it).
 */
export const RetryWhatIfSchema = z.object({
  route: z.string(),
  maxRetries: z.number(),
  windowSeconds: z.number(),
  requests: z.number(),
  failures: z.number(),
  retriesWanted: z.number(),
  budgetAllows: z.number(),
  /** What callers saw in the window (after any retries already in force); null without traffic. */
  successRate: z.number().nullable(),
  /**
   * What callers would see with these retries: each attempt failing as attempts did in the
   * window, retried up to maxRetries while the budget lasts; null without traffic.
   */
  expectedSuccessRate: z.number().nullable(),
});

/** `POST …/preview` body: the draft, and how far back to look (default 1h; the page's window). */
export const PolicyPreviewRequestSchema = z.strictObject({
  policy: z.unknown(),
  window: z
    .string()
    .regex(/^[1-9][0-9]*[mhd]$/, 'a duration such as 15m, 1h or 24h')
    .default('1h'),
});

export const PolicyPreviewSchema = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  diff: z.array(PolicyDiffEntrySchema),
  whatIf: z.array(TimeoutWhatIfSchema),
  retries: z.array(RetryWhatIfSchema),
});

export type TimeoutWhatIf = z.infer<typeof TimeoutWhatIfSchema>;
export type RetryWhatIf = z.infer<typeof RetryWhatIfSchema>;
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;
