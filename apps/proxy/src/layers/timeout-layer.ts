import type { Call } from '../call.js';
import { Outcome } from '../classify.js';
import { RequestTimeoutError } from '../errors.js';
import type { Handler, Layer } from '../handler.js';

/**
 * The time a call may take: `timeoutMs`, or a gRPC caller's shorter `grpc-timeout`. A longer
 * one is lowered to the route timeout before it goes upstream, so the server gives up when the
 * proxy does.
 */
function deadlineMs(call: Call, timeoutMs: number): number {
  const asked = call.grpcTimeoutMs;
  if (asked < 0) return timeoutMs;
  if (asked <= timeoutMs) return asked;
  call.capGrpcTimeout(timeoutMs);
  return timeoutMs;
}

/**
 * Races the inner handler against `timeoutMs`. On expiry the attempt in flight is aborted and
 * the outcome is a `request-timeout`. With scope `request` (the route timeout, covering every
 * attempt and backoff, and honouring a gRPC deadline) the call is cancelled, so no further
 * attempt starts; with scope `attempt` (per-try timeout, inside the retry layer) the retry
 * layer may try again.
 */
export function timeoutLayer(timeoutMs: number, scope: 'request' | 'attempt'): Layer {
  return (next: Handler) => (call: Call) =>
    new Promise<Outcome>((resolve, reject) => {
      let done = false;
      const ms = scope === 'request' && call.grpc ? deadlineMs(call, timeoutMs) : timeoutMs;
      const timer = setTimeout(() => {
        done = true;
        const error = new RequestTimeoutError(ms, scope);
        if (scope === 'request') call.cancel(error);
        else call.attempt?.abort(error);
        resolve(Outcome.ofError(error, call.grpc));
      }, ms);
      next(call).then(
        (outcome) => {
          if (done) {
            outcome.response?.discard();
            return;
          }
          done = true;
          clearTimeout(timer);
          resolve(outcome);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
}
