import { z } from 'zod';
import { PolicySchema } from './policy.js';

/**
 * Response bodies of the collector's policy endpoints (DESIGN §4): read, write with version,
 * history, diff, rollback and preview. Objects are not strict, so the collector may add fields.
 */

export const PolicyChangeSchema = z.object({
  version: z.number().int(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.iso.datetime(),
});

/** How far the latest version has reached the data plane. */
export const PropagationSchema = z.object({
  applied: z.number().int(),
  total: z.number().int(),
  rejected: z.number().int(),
});

export const PolicySummarySchema = z.object({
  policy: PolicySchema,
  lastChange: PolicyChangeSchema.nullable(),
});

export const PolicyListSchema = z.object({
  policies: z.array(PolicySummarySchema),
});

export const PolicyDetailSchema = z.object({
  policy: PolicySchema,
  lastChange: PolicyChangeSchema.nullable(),
  propagation: PropagationSchema,
});

export const PolicyRevisionSchema = PolicyChangeSchema.extend({
  policy: PolicySchema,
  /** Set when this revision restored an earlier one. */
  rolledBackFrom: z.number().int().nullable().optional(),
});

export const PolicyRevisionListSchema = z.object({
  service: z.string(),
  revisions: z.array(PolicyRevisionSchema),
});

export const PolicyDiffEntrySchema = z.object({
  /** JSON path of the changed value, e.g. `routes[0].timeoutMs` */
  path: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export const PolicyDiffSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(PolicyDiffEntrySchema),
});

/** What a route's new timeout would have done to the traffic observed in the look-back window. */
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

/** The body of a successful write or rollback. */
export const PolicyWriteResultSchema = z.object({
  policy: PolicySchema,
  propagation: PropagationSchema.optional(),
});

export type PolicyChange = z.infer<typeof PolicyChangeSchema>;
export type Propagation = z.infer<typeof PropagationSchema>;
export type PolicySummary = z.infer<typeof PolicySummarySchema>;
export type PolicyList = z.infer<typeof PolicyListSchema>;
export type PolicyDetail = z.infer<typeof PolicyDetailSchema>;
export type PolicyRevision = z.infer<typeof PolicyRevisionSchema>;
export type PolicyRevisionList = z.infer<typeof PolicyRevisionListSchema>;
export type PolicyDiffEntry = z.infer<typeof PolicyDiffEntrySchema>;
export type PolicyDiff = z.infer<typeof PolicyDiffSchema>;
export type TimeoutWhatIf = z.infer<typeof TimeoutWhatIfSchema>;
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;
export type PolicyWriteResult = z.infer<typeof PolicyWriteResultSchema>;
