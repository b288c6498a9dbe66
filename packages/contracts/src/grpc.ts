/**
 * gRPC status codes by their symbolic names, as the `grpc_status` metric label and route
 * policies spell them; the index is the numeric code sent in `grpc-status`.
 */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof GRPC_STATUS_NAMES)[number];

/** The codes a route may count as failures (OK never is). */
export const GRPC_FAILURE_CANDIDATES = GRPC_STATUS_NAMES.slice(1) as Exclude<
  GrpcStatusName,
  'OK'
>[];

/** Failures unless a route says otherwise: the set linkerd2-proxy uses. */
export const DEFAULT_GRPC_FAILURES: readonly GrpcStatusName[] = [
  'UNKNOWN',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
];
