import { performance } from 'node:perf_hooks';
import type { Endpoint } from './balancer.js';
import { ClientGoneError, type AbortableAttempt, type Call } from './call.js';
import { WireProtocol } from './downstream/client-request.js';
import type { ClientResponse } from './downstream/client-response.js';
import { GRPC, Outcome, grpcStatusOfHttp, type UpstreamResponse } from './classify.js';
import { EgressRefusedError } from './egress/egress-rules.js';
import { ConnectFailedError, EgressDeniedError, NoEndpointsError, ProxyError } from './errors.js';
import type { Handler } from './handler.js';
import { responseHeaders } from './hop-by-hop.js';
import type { Exchange, ResponseHandler } from './upstream/exchange.js';
import { UpstreamConnectError } from './upstream/upstream-errors.js';

const enum State {
  AwaitingHead,
  /** A gRPC head without a status: waiting for the first message or the trailers. */
  AwaitingStatus,
  /** Head received; body chunks are held until the response is sent or discarded. */
  Held,
  Sending,
  Discarded,
}

/** The `grpc-status` among flat fields (HTTP/2 names are lowercase); -1 when absent. */
function grpcStatusIn(fields: readonly string[]): number {
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'grpc-status') {
      const code = Number(fields[i + 1]);
      return Number.isInteger(code) && code >= 0 && code <= 16 ? code : GRPC.unknown;
    }
  }
  return -1;
}

/**
 * One request to one endpoint, driven by the upstream pool's callbacks. Its promise
 * settles at the response head (or at a failure before it); the body is then held until
 * `sendTo` streams it to the client with backpressure, or `discard` drops it for a retry.
 * A gRPC response settles once its status is known, or at its first message: a failure
 * answered before any message can still be retried, a stream flows as soon as it starts.
 */
export class UpstreamAttempt implements ResponseHandler, UpstreamResponse, AbortableAttempt {
  readonly promise: Promise<Outcome>;
  status = 0;
  private settle!: (outcome: Outcome) => void;
  private state = State.AwaitingHead;
  private exchange: Exchange | undefined = undefined;
  private abortReason: Error | undefined = undefined;
  private headers: string[] | undefined = undefined;
  private trailers: string[] | undefined = undefined;
  private held: Buffer[] | undefined = undefined;
  private finished = false;
  private failure: Error | undefined = undefined;
  private client: ClientResponse | undefined = undefined;
  /** For a gRPC stream: the final outcome, and who waits for it. */
  private final: Outcome | undefined = undefined;
  private finalListener: ((outcome: Outcome) => void) | undefined = undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly startedAt: number,
    /** The route's gRPC failure mask, or -1 when the call is not gRPC. */
    private readonly grpcFailures: number,
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
    if (this.grpcFailures < 0) {
      this.settle(Outcome.ofResponse(this));
      return;
    }
    const code = grpcStatusIn(headers);
    this.state = State.AwaitingStatus;
    if (code >= 0) this.grpcEnded(code);
    else if (status !== 200) this.grpcEnded(grpcStatusOfHttp(status));
  }

  onData(chunk: Buffer): boolean {
    if (this.state === State.Sending) return this.client!.write(chunk);
    if (this.state === State.AwaitingStatus) {
      this.state = State.Held;
      this.settle(Outcome.ofGrpcStream(this));
    }
    if (this.state === State.Held) (this.held ??= []).push(chunk);
    return true;
  }

  onTrailers(trailers: string[]): void {
    this.trailers = trailers;
    if (this.grpcFailures >= 0) this.grpcEnded(grpcStatusIn(trailers));
  }

  onComplete(): void {
    this.finish();
    if (this.grpcFailures >= 0) this.grpcEnded(-1);
    if (this.state === State.Sending) this.client!.end(undefined, this.trailers);
  }

  onError(error: Error): void {
    this.finish();
    if (this.state === State.AwaitingHead || this.state === State.AwaitingStatus) {
      this.state = State.Held;
      this.settle(Outcome.ofError(this.toProxyError(error), this.grpcFailures >= 0));
      return;
    }
    if (this.grpcFailures >= 0) {
      const gone = this.abortReason instanceof ClientGoneError;
      this.grpcEnded(gone ? GRPC.cancelled : GRPC.internal);
    }
    if (this.state === State.Sending) this.client!.destroy();
    else this.failure = error;
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
      const trailers = this.trailers;
      if (held === undefined) res.end(undefined, trailers);
      else res.end(held.length === 1 ? held[0] : Buffer.concat(held), trailers);
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
    if (this.grpcFailures >= 0) this.grpcEnded(GRPC.cancelled);
    if (!this.finished) this.abort(new Error('response discarded'));
  }

  whenFinal(listener: (outcome: Outcome) => void): void {
    if (this.final !== undefined) listener(this.final);
    else this.finalListener = listener;
  }

  /**
   * The gRPC call ended with `code` (-1: no status came). Before the first message this
   * settles the attempt; after it, it is the final outcome of the stream.
   */
  private grpcEnded(code: number): void {
    if (this.final !== undefined || this.state === State.AwaitingHead) return;
    const outcome = Outcome.ofGrpc(this, code >= 0 ? code : GRPC.unknown, this.grpcFailures);
    this.final = outcome;
    if (this.state === State.AwaitingStatus) {
      this.state = State.Held;
      this.settle(outcome);
    } else {
      this.finalListener?.(outcome);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endpoint.pending--;
  }

  private toProxyError(error: Error): ProxyError {
    if (this.abortReason instanceof ProxyError) return this.abortReason;
    if (error instanceof UpstreamConnectError) {
      if (error.cause instanceof EgressRefusedError)
        return new EgressDeniedError(error.cause.message);
      this.endpoint.connectFailed(performance.now());
      return new ConnectFailedError(this.endpoint.address, 'connect', error);
    }
    this.endpoint.failed(performance.now());
    return new ConnectFailedError(this.endpoint.address, 'response', error);
  }
}

/** Chooses the endpoint for an attempt, or none. */
export type EndpointPicker = (now: number) => Endpoint | undefined;

/**
 * The innermost handler: one attempt to one endpoint the picker chooses, in the protocol the
 * request came in. `grpcFailures` is the route's mask of gRPC statuses that count as failures.
 */
export function forwarder(service: string, pick: EndpointPicker, grpcFailures: number): Handler {
  return (call: Call) => {
    const now = performance.now();
    const endpoint = pick(now);
    if (endpoint === undefined) {
      return Promise.resolve(Outcome.ofError(new NoEndpointsError(service), call.grpc));
    }
    const attempt = new UpstreamAttempt(endpoint, now, call.grpc ? grpcFailures : -1);
    call.attempt = attempt;
    const upstream = call.req.protocol === WireProtocol.Http2 ? endpoint.http2 : endpoint.pool;
    upstream.dispatch(call, attempt);
    return attempt.promise;
  };
}
