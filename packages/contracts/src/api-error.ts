import { z } from 'zod';

/**
 * Every error code the collector API answers with, and the HTTP status it comes with. Clients
 * branch on `code`; it never changes meaning. Each collector error names its entry here.
 */
export const API_ERRORS = {
  /** A field of the request is missing or wrong; `details` lists each field path. */
  invalidRequest: { code: 'invalid-request', status: 400 },
  invalidJson: { code: 'invalid-json', status: 400 },
  /** A certificate signing request that does not parse, or whose signature or key is wrong. */
  invalidCsr: { code: 'invalid-csr', status: 400 },
  /** Any other malformed request the HTTP layer refuses. */
  badRequest: { code: 'bad-request', status: 400 },
  unauthenticated: { code: 'unauthenticated', status: 401 },
  forbidden: { code: 'forbidden', status: 403 },
  /** A proxy token acting for another service than the one it is bound to. */
  serviceNotBound: { code: 'service-not-bound', status: 403 },
  /** A proxy token made before tokens were bound to a service; the message says how to make one. */
  proxyTokenUnbound: { code: 'proxy-token-unbound', status: 403 },
  /** No such API route. */
  notFound: { code: 'not-found', status: 404 },
  unknownService: { code: 'unknown-service', status: 404 },
  /** No calls from the one service to the other in the window. */
  unknownEdge: { code: 'unknown-edge', status: 404 },
  tokenNotFound: { code: 'token-not-found', status: 404 },
  revisionNotFound: { code: 'revision-not-found', status: 404 },
  tokenNameTaken: { code: 'token-name-taken', status: 409 },
  /** An instance id registered by another token. */
  instanceOwned: { code: 'instance-owned', status: 409 },
  /** A policy write based on a version that is no longer current; `details` has the current one. */
  versionConflict: { code: 'version-conflict', status: 409 },
  bodyTooLarge: { code: 'body-too-large', status: 413 },
  unsupportedMediaType: { code: 'unsupported-media-type', status: 415 },
  internal: { code: 'internal', status: 500 },
} as const;

export type ApiErrorKind = (typeof API_ERRORS)[keyof typeof API_ERRORS];
export type ApiErrorCode = ApiErrorKind['code'];

export const API_ERROR_CODES = Object.values(API_ERRORS).map((error) => error.code) as [
  ApiErrorCode,
  ...ApiErrorCode[],
];

/** Every error the collector API answers: a stable `code` to branch on, a message for people. */
export const ApiErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(API_ERROR_CODES),
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
