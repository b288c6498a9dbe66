import { z } from 'zod';
import { freeText } from './free-text.js';
import { PolicySchema, PolicySpecSchema, ServiceNameSchema } from './policy.js';

/** Request and response bodies of the collector's `/v1/policies` API (docs/architecture.md §4, §6). */

const Timestamp = z.iso.datetime();

/** The highest policy version: versions are stored as 32-bit integers. */
export const MAX_POLICY_VERSION = 2_147_483_647;
const Version = z.number().int().min(0).max(MAX_POLICY_VERSION);

/** Why a change was made; kept with the revision for whoever reads the history. */
export const ChangeReasonSchema = freeText(1, 500).regex(/\S/, 'must not be blank');

/** `PUT /v1/policies/:service`: the new document and the version it edits (0 = none yet). */
export const PolicyWriteSchema = z.strictObject({
  policy: PolicySpecSchema,
  baseVersion: Version,
  reason: ChangeReasonSchema,
});

/** `POST /v1/policies/:service/rollback`: a new version equal to `toVersion` (0 = the default). */
export const PolicyRollbackSchema = z.strictObject({
  toVersion: Version,
  reason: ChangeReasonSchema,
});

/** Who changed a policy, when and why. */
export const PolicyChangeSchema = z.strictObject({
  version: Version,
  author: z.string(),
  reason: z.string(),
  at: Timestamp,
});

/**
 * How far the current version has reached: of the live proxies that serve the service or
 * call it, how many run it and which rejected it (and why).
 */
export const PolicyPropagationSchema = z.strictObject({
  version: Version,
  applied: z.number().int().min(0),
  total: z.number().int().min(0),
  rejected: z.array(z.strictObject({ instanceId: z.string(), error: z.string() })),
});

/** `GET /v1/policies/:service` and the answer to a write: `lastChange` is null for the default. */
export const PolicyViewSchema = z.strictObject({
  policy: PolicySchema,
  lastChange: PolicyChangeSchema.nullable(),
  propagation: PolicyPropagationSchema,
});

/** `GET /v1/policies`: every stored policy with its last change. */
export const PolicyListSchema = z.strictObject({
  policies: z.array(z.strictObject({ policy: PolicySchema, lastChange: PolicyChangeSchema })),
});

/** One accepted change: the whole document as it was written. */
export const PolicyRevisionSchema = z.strictObject({
  version: Version,
  author: z.string(),
  reason: z.string(),
  createdAt: Timestamp,
  policy: PolicySchema,
});

/** `GET /v1/policies/:service/revisions`: newest first. */
export const PolicyRevisionListSchema = z.strictObject({
  service: ServiceNameSchema,
  revisions: z.array(PolicyRevisionSchema),
});

/**
 * One difference between two documents. `path` is dotted (`routes.0.retry.maxRetries`);
 * `before`/`after` are absent where the field did not exist on that side.
 */
export const PolicyDiffEntrySchema = z.strictObject({
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  /** The change in words ("Route recommend retry: off → 2 retries on 5xx, …"). */
  summary: z.string().optional(),
});

/** `GET /v1/policies/:service/revisions/diff?from=A&to=B` (version 0 = the default policy). */
export const PolicyDiffSchema = z.strictObject({
  service: ServiceNameSchema,
  from: Version,
  to: Version,
  changes: z.array(PolicyDiffEntrySchema),
});

/** `details` of a 409 `version-conflict`: what the write should have been based on. */
export const VersionConflictDetailsSchema = z.strictObject({
  currentVersion: Version,
  policy: PolicySchema,
});

export type PolicyWrite = z.infer<typeof PolicyWriteSchema>;
export type PolicyWriteInput = z.input<typeof PolicyWriteSchema>;
export type PolicyRollback = z.infer<typeof PolicyRollbackSchema>;
export type PolicyChange = z.infer<typeof PolicyChangeSchema>;
export type PolicyPropagation = z.infer<typeof PolicyPropagationSchema>;
export type PolicyView = z.infer<typeof PolicyViewSchema>;
export type PolicyList = z.infer<typeof PolicyListSchema>;
export type PolicyRevision = z.infer<typeof PolicyRevisionSchema>;
export type PolicyRevisionList = z.infer<typeof PolicyRevisionListSchema>;
export type PolicyDiffEntry = z.infer<typeof PolicyDiffEntrySchema>;
export type PolicyDiff = z.infer<typeof PolicyDiffSchema>;
export type VersionConflictDetails = z.infer<typeof VersionConflictDetailsSchema>;
