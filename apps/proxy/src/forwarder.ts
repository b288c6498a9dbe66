import { performance } from 'node:perf_hooks';
import type { Endpoint } from './balancer.js';
import type { AbortableAttempt, Call } from './call.js';
import type { ClientResponse } from './downstream/client-response.js';
import { Outcome, type UpstreamResponse } from './classify.js';
import { ConnectFailedError, NoEndpointsError, ProxyError } from './errors.js';
import type { Handler } from './handler.js';
import { responseHeaders } from './hop-by-hop.js';
import type { Exchange, ResponseHandler } from './upstream/exchange.js';
import { UpstreamConnectError } from './upstream/upstream-errors.js';

const enum State {
  AwaitingHead,
  /** Head received; body chunks are held until the response is sent or discarded. */
  Held,
  Sending,
  Discarded,
}

/**
 * One request to one endpoint, driven by the upstream pool's callbacks. Its promise
 * settles at the response head (or at a failure before it); the body is then held until
 * `sendTo` streams it to the client with backpressure, or `discard` drops it for a retry.
 */
export class UpstreamAttempt implements ResponseHandler, UpstreamResponse, AbortableAttempt {
  readonly promise: Promise<Outcome>;
  status = 0;
  private settle!: (outcome: Outcome) => void;
  private state = State.AwaitingHead;
  private exchange: Exchange | undefined = undefined;
  private abortReason: Error | undefined = undefined;
  private headers: string[] | undefined = undefined;
  private held: Buffer[] | undefined = undefined;
  private finished = false;
  private failure: Error | undefined = undefined;
  private client: ClientResponse | undefined = undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly startedAt: number,
  ) {
    this.promise = new Promise((resolve) => {
      this.settle = resolve;
    });
    endpoint.pending++;
  }

  abort(reason: Error): void {
    if (this.finished) return;
    if (this.abortReason === undefined) this.abortReason = reason;
    this.exchange?.abort(reason);
  }

  onStart(exchange: Exchange): void {
    this.exchange = exchange;
  }

  onHeaders(status: number, headers: string[]): void {
    const now = performance.now();
    this.endpoint.observeLatency(now - this.startedAt, now);
    if (status >= 500) this.endpoint.failed(now);
    else this.endpoint.succeeded();
    this.status = status;
    this.headers = headers;
    this.state = State.Held;
    this.settle(Outcome.ofResponse(this));
  }

  onData(chunk: Buffer): boolean {
    if (this.state === State.Sending) return this.client!.write(chunk);
    if (this.state === State.Held) (this.held ??= []).push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish();
    if (this.state === State.Sending) this.client!.end();
  }

  onError(error: Error): void {
    this.finish();
    if (this.state === State.AwaitingHead) {
      this.settle(Outcome.ofError(this.toProxyError(error)));
    } else if (this.state === State.Sending) {
      this.client!.destroy();
    } else {
      this.failure = error;
    }
  }

  sendTo(res: ClientResponse): void {
    if (this.state !== State.Held) return;
    this.state = State.Sending;
    this.client = res;
    res.writeHead(this.status, responseHeaders(this.headers!));
    this.headers = undefined;
    const held = this.held;
    this.held = undefined;
    if (this.failure !== undefined) {
      res.destroy();
      return;
    }
    if (this.finished) {
      // A whole small body leaves with the head, in one write.
      if (held === undefined) res.end();
      else if (held.length === 1) res.end(held[0]);
      else res.end(Buffer.concat(held));
      return;
    }
    if (held !== undefined) for (const chunk of held) res.write(chunk);
    // A full client buffer pauses upstream through onData's return value; drain resumes it.
    const exchange = this.exchange!;
    res.onDrain = () => exchange.resume();
  }

  discard(): void {
    if (this.state !== State.Held) return;
    this.state = State.Discarded;
    this.held = undefined;
    this.headers = undefined;
    if (!this.finished) this.abort(new Error('response discarded'));
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endpoint.pending--;
  }

  private toProxyError(error: Error): ProxyError {
    if (this.abortReason instanceof ProxyError) return this.abortReason;
    if (error instanceof UpstreamConnectError) {
      this.endpoint.connectFailed(performance.now());
      return new ConnectFailedError(this.endpoint.address, 'connect', error);
    }
    this.endpoint.failed(performance.now());
    return new ConnectFailedError(this.endpoint.address, 'response', error);
  }
}

/** Chooses the endpoint for an attempt, or none. */
export type EndpointPicker = (now: number) => Endpoint | undefined;

/** The innermost handler: one attempt to one endpoint the picker chooses. */
export function forwarder(service: string, pick: EndpointPicker): Handler {
  return (call: Call) => {
    const now = performance.now();
    const endpoint = pick(now);
    if (endpoint === undefined)
      return Promise.resolve(Outcome.ofError(new NoEndpointsError(service)));
    const attempt = new UpstreamAttempt(endpoint, now);
    call.attempt = attempt;
    endpoint.pool.dispatch(call, attempt);
    return attempt.promise;
  };
}
