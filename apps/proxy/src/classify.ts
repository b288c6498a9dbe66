import type { Classification, RetryCondition } from '@trellis/contracts';
import type { ClientResponse } from './downstream/client-response.js';
import { ConnectFailedError, RequestTimeoutError, type ProxyError } from './errors.js';

/** A response head from upstream whose body has not been sent anywhere yet. */
export interface UpstreamResponse {
  readonly status: number;
  /** Writes the head and streams the body to the client. */
  sendTo(res: ClientResponse): void;
  /** Drops the response (a retry replaces it, or the client is gone). */
  discard(): void;
}

/** Bit per retry condition, so a route's `on` list compiles to one mask per config change. */
export const RETRY_CONDITION_BIT: Readonly<Record<RetryCondition, number>> = {
  '5xx': 1,
  'gateway-error': 2,
  'connect-failure': 4,
  timeout: 8,
};

export function retryConditionMask(conditions: readonly RetryCondition[]): number {
  let mask = 0;
  for (const condition of conditions) mask |= RETRY_CONDITION_BIT[condition];
  return mask;
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
 */
export class Outcome {
  readonly classification: Classification;
  /** Mask of the retry conditions this outcome satisfies. */
  readonly conditions: number;

  private constructor(
    readonly status: number,
    readonly error: ProxyError | undefined,
    readonly response: UpstreamResponse | undefined,
    conditions: number,
  ) {
    this.classification = status >= 500 || error !== undefined ? 'failure' : 'success';
    this.conditions = conditions;
  }

  static ofResponse(response: UpstreamResponse): Outcome {
    return new Outcome(response.status, undefined, response, responseConditions(response.status));
  }

  /** The answer to an Upgrade handshake, whose body (the tunnel) is not ours to send. */
  static ofUpgrade(status: number): Outcome {
    return new Outcome(status, undefined, undefined, responseConditions(status));
  }

  static ofError(error: ProxyError): Outcome {
    return new Outcome(error.status, error, undefined, errorConditions(error));
  }
}
