import type { Call } from '../call.js';
import { Outcome } from '../classify.js';
import { RequestTimeoutError } from '../errors.js';
import type { Handler, Layer } from '../handler.js';

/**
 * Races the inner handler against `timeoutMs`. On expiry the attempt in flight is aborted and
 * the outcome is a `request-timeout`. With scope `request` (the route timeout, covering every
 * attempt and backoff) the call is cancelled, so no further attempt starts; with scope
 * `attempt` (per-try timeout, inside the retry layer) the retry layer may try again.
 */
export function timeoutLayer(timeoutMs: number, scope: 'request' | 'attempt'): Layer {
  return (next: Handler) => (call: Call) =>
    new Promise<Outcome>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        const error = new RequestTimeoutError(timeoutMs, scope);
        if (scope === 'request') call.cancel(error);
        else call.attempt?.abort(error);
        resolve(Outcome.ofError(error));
      }, timeoutMs);
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
