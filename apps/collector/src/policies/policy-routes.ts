import {
  ApiErrorBodySchema,
  MAX_POLICY_VERSION,
  PolicyDiffSchema,
  PolicyListSchema,
  PolicyPreviewRequestSchema,
  PolicyPreviewSchema,
  PolicyRevisionListSchema,
  PolicyRollbackSchema,
  PolicyViewSchema,
  PolicyWriteSchema,
  ServiceNameSchema,
} from '@trellis/contracts';
import { z } from 'zod';
import { principalOf } from '../auth/require-role.js';
import type { ApiServer } from '../http/api-server.js';
import type { MeshQueries } from '../query/mesh-queries.js';
import { resolveWindow } from '../query/time-window.js';
import type { ProxyRegistry } from '../registry/proxy-registry.js';
import { describePolicyChanges } from './policy-change-words.js';
import { previewPolicy } from './policy-preview.js';
import { policyPropagation } from './policy-propagation.js';
import { specOf, type PolicyStore, type StoredPolicy } from './policy-store.js';

const ServiceParams = z.strictObject({ service: ServiceNameSchema });
const VersionQuery = z.coerce.number().int().min(0).max(MAX_POLICY_VERSION);

const INVALID = ApiErrorBodySchema.describe('invalid-request: details lists each field path');
const CONFLICT = ApiErrorBodySchema.describe(
  'version-conflict: details has currentVersion and the current policy',
);
const NOT_FOUND = ApiErrorBodySchema.describe('revision-not-found');

export function registerPolicyRoutes(
  app: ApiServer,
  {
    store,
    registry,
    queries,
    now = Date.now,
  }: { store: PolicyStore; registry: ProxyRegistry; queries: MeshQueries; now?: () => number },
): void {
  const view = async (stored: StoredPolicy) => ({
    ...stored,
    propagation: await policyPropagation(registry, stored.policy),
  });

  app.get(
    '/v1/policies',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: 'Every stored policy with its last change',
        response: { 200: PolicyListSchema },
      },
    },
    async () => ({ policies: await store.list() }),
  );

  app.get(
    '/v1/policies/:service',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary:
          "A service's policy (the default, version 0, if none was written) and its propagation",
        params: ServiceParams,
        response: { 200: PolicyViewSchema, 400: INVALID },
      },
    },
    async (request) => view(await store.current(request.params.service)),
  );

  app.put(
    '/v1/policies/:service',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['policies'],
        summary: "Write a service's policy as a new version",
        description:
          'baseVersion must be the current version (0 when none is stored); otherwise 409 and nothing is written.',
        params: ServiceParams,
        body: PolicyWriteSchema,
        response: { 200: PolicyViewSchema, 400: INVALID, 409: CONFLICT },
      },
    },
    async (request) => {
      const { policy, baseVersion, reason } = request.body;
      const stored = await store.write({
        service: request.params.service,
        spec: policy,
        baseVersion,
        reason,
        author: principalOf(request).name,
      });
      return view(stored);
    },
  );

  app.get(
    '/v1/policies/:service/revisions',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: "A service's policy history, newest first",
        params: ServiceParams,
        response: { 200: PolicyRevisionListSchema, 400: INVALID },
      },
    },
    async (request) => ({
      service: request.params.service,
      revisions: await store.revisions(request.params.service),
    }),
  );

  app.get(
    '/v1/policies/:service/revisions/diff',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: 'What changed between two versions (0 = the default policy)',
        params: ServiceParams,
        querystring: z.strictObject({ from: VersionQuery, to: VersionQuery }),
        response: { 200: PolicyDiffSchema, 400: INVALID, 404: NOT_FOUND },
      },
    },
    async (request) => {
      const { service } = request.params;
      const { from, to } = request.query;
      const [before, after] = await Promise.all([
        store.documentAt(service, from),
        store.documentAt(service, to),
      ]);
      return { service, from, to, changes: describePolicyChanges(specOf(before), specOf(after)) };
    },
  );

  app.post(
    '/v1/policies/:service/rollback',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['policies'],
        summary: 'Make a new version equal to an earlier one',
        params: ServiceParams,
        body: PolicyRollbackSchema,
        response: { 200: PolicyViewSchema, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT },
      },
    },
    async (request) => {
      const stored = await store.rollback({
        service: request.params.service,
        toVersion: request.body.toVersion,
        reason: request.body.reason,
        author: principalOf(request).name,
      });
      return view(stored);
    },
  );

  app.post(
    '/v1/policies/:service/preview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary:
          'Validate a draft and estimate its effect on recent traffic (timeouts cut, retries allowed); writes nothing',
        params: ServiceParams,
        body: PolicyPreviewRequestSchema,
        response: { 200: PolicyPreviewSchema, 400: INVALID },
      },
    },
    async (request) =>
      previewPolicy(
        { store, queries },
        request.params.service,
        request.body.policy,
        resolveWindow({ window: request.body.window }, now()),
      ),
  );
}
