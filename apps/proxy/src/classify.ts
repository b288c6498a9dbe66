import {
  DEFAULT_GRPC_FAILURES,
  GRPC_STATUS_NAMES,
  type Classification,
  type GrpcStatusName,
  type RetryCondition,
} from '@trellis/contracts';
import type { ClientResponse } from './downstream/client-response.js';
import { ConnectFailedError, RequestTimeoutError, type ProxyError } from './errors.js';

/** A response head from upstream whose body has not been sent anywhere yet. */
export interface UpstreamResponse {
  readonly status: number;
  /** Writes the head and streams the body to the client. */
  sendTo(res: ClientResponse): void;
  /** Drops the response (a retry replaces it, or the client is gone). */
  discard(): void;
  /**
   * For an outcome that is not `final` (a gRPC status still to come in trailers): called
   * once with the final outcome, when the status arrives or the stream ends without one.
   */
  whenFinal(listener: (outcome: Outcome) => void): void;
}

/** The `grpcStatus` of an outcome that is not a gRPC call. */
export const NOT_GRPC = -1;

export const GRPC = {
  ok: 0,
  cancelled: 1,
  unknown: 2,
  deadlineExceeded: 4,
  resourceExhausted: 8,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
  permissionDenied: 7,
} as const;

/** Bit per retry condition, so a route's `on` list compiles to one mask per config change. */
export const RETRY_CONDITION_BIT: Readonly<Record<RetryCondition, number>> = {
  '5xx': 1,
  'gateway-error': 2,
  'connect-failure': 4,
  timeout: 8,
  cancelled: 16,
  'deadline-exceeded': 32,
  internal: 64,
  'resource-exhausted': 128,
  unavailable: 256,
};

const GRPC_CONDITIONS: Readonly<Record<number, number>> = {
  [GRPC.cancelled]: RETRY_CONDITION_BIT.cancelled,
  [GRPC.deadlineExceeded]: RETRY_CONDITION_BIT['deadline-exceeded'],
  [GRPC.internal]: RETRY_CONDITION_BIT.internal,
  [GRPC.resourceExhausted]: RETRY_CONDITION_BIT['resource-exhausted'],
  [GRPC.unavailable]: RETRY_CONDITION_BIT.unavailable,
};

export function retryConditionMask(conditions: readonly RetryCondition[]): number {
  let mask = 0;
  for (const condition of conditions) mask |= RETRY_CONDITION_BIT[condition];
  return mask;
}

/** A route's gRPC failure set as a mask over status codes (Linkerd's set when not given). */
export function grpcFailureMask(names: readonly GrpcStatusName[] | undefined): number {
  let mask = 0;
  for (const name of names ?? DEFAULT_GRPC_FAILURES) mask |= 1 << GRPC_STATUS_NAMES.indexOf(name);
  return mask;
}

/** The status a gRPC client reads from an HTTP status that came without `grpc-status`. */
export function grpcStatusOfHttp(status: number): number {
  switch (status) {
    case 200:
      return GRPC.unknown;
    case 400:
      return GRPC.internal;
    case 401:
      return GRPC.unauthenticated;
    case 403:
      return GRPC.permissionDenied;
    case 404:
      return GRPC.unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return GRPC.unavailable;
    default:
      return GRPC.unknown;
  }
}

/** How a gRPC caller hears of a proxy error: a deadline it can tell apart, else UNAVAILABLE. */
export function grpcStatusOfError(error: ProxyError): number {
  return error instanceof RequestTimeoutError ? GRPC.deadlineExceeded : GRPC.unavailable;
}

function responseConditions(status: number): number {
  if (status < 500) return 0;
  const gateway = status === 502 || status === 503 || status === 504;
  return RETRY_CONDITION_BIT['5xx'] | (gateway ? RETRY_CONDITION_BIT['gateway-error'] : 0);
}

function errorConditions(error: ProxyError): number {
  if (error instanceof ConnectFailedError) {
    return (
      RETRY_CONDITION_BIT['5xx'] |
      RETRY_CONDITION_BIT['gateway-error'] |
      (error.phase === 'connect' ? RETRY_CONDITION_BIT['connect-failure'] : 0)
    );
  }
  if (error instanceof RequestTimeoutError) return RETRY_CONDITION_BIT.timeout;
  return 0;
}

/**
 * The result of one attempt or of a whole request, classified exactly once when it is made:
 * metrics read `classification`, retries read `conditions`, the rescue layer reads `error`.
 * A gRPC response is classified by its `grpc-status` against the route's failure set; when
 * that status only comes in trailers, the outcome at the response head is not `final` and
 * the final one follows from `response.whenFinal`.
 */
export class Outcome {
  readonly classification: Classification;

  private constructor(
    readonly status: number,
    readonly error: ProxyError | undefined,
    readonly response: UpstreamResponse | undefined,
    /** Mask of the retry conditions this outcome satisfies. */
    readonly conditions: number,
    /** The gRPC status code; NOT_GRPC for other calls, undefined while still to come. */
    readonly grpcStatus: number | undefined,
    failed: boolean,
  ) {
    this.classification = failed ? 'failure' : 'success';
  }

  get final(): boolean {
    return this.grpcStatus !== undefined;
  }

  static ofResponse(response: UpstreamResponse): Outcome {
    const status = response.status;
    return new Outcome(
      status,
      undefined,
      response,
      responseConditions(status),
      NOT_GRPC,
      status >= 500,
    );
  }

  /** A gRPC response whose status is known; `failures` is the route's mask of failing codes. */
  static ofGrpc(response: UpstreamResponse, grpcStatus: number, failures: number): Outcome {
    return new Outcome(
      response.status,
      undefined,
      response,
      GRPC_CONDITIONS[grpcStatus] ?? 0,
      grpcStatus,
      ((failures >>> grpcStatus) & 1) === 1,
    );
  }

  /** A gRPC response already streaming whose status comes in its trailers. */
  static ofGrpcStream(response: UpstreamResponse): Outcome {
    return new Outcome(response.status, undefined, response, 0, undefined, false);
  }

  /** The answer to an Upgrade handshake, whose body (the tunnel) is not ours to send. */
  static ofUpgrade(status: number): Outcome {
    return new Outcome(
      status,
      undefined,
      undefined,
      responseConditions(status),
      NOT_GRPC,
      status >= 500,
    );
  }

  /** A proxy error; for a gRPC call (`grpc`) it carries the status the caller will read. */
  static ofError(error: ProxyError, grpc = false): Outcome {
    const grpcStatus = grpc ? grpcStatusOfError(error) : NOT_GRPC;
    return new Outcome(
      error.status,
      error,
      undefined,
      errorConditions(error) | (GRPC_CONDITIONS[grpcStatus] ?? 0),
      grpcStatus,
      true,
    );
  }
}
