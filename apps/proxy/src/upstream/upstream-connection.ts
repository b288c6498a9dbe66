import { connect, type LookupFunction, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { LAST_CHUNK } from '../http1/framed-write.js';
import { MalformedMessageError } from '../http1/malformed-message.js';
import { ResponseParser, type ResponseHead, type ResponseSink } from '../http1/response-parser.js';
import { safeToResend, type Exchange, type ExchangeCarrier } from './exchange.js';
import { sentChunked, writeChunk, writeHeadAndBuffer } from './request-encoder.js';
import {
  UpstreamClosedError,
  UpstreamConnectError,
  UpstreamIdleError,
  UpstreamProtocolError,
} from './upstream-errors.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** What a connection reports back to the pool that owns it. */
export interface OwningPool {
  /** The exchange finished and the connection may carry another. */
  release(connection: UpstreamConnection): void;
  /** The connection is closed (or closing) and must not be used again. */
  forget(connection: UpstreamConnection): void;
  /** A reused connection died before answering a request that is safe to send again. */
  resend(exchange: Exchange): void;
}

/**
 * One keep-alive connection to an upstream, carrying one exchange at a time: writes the
 * request (streaming its body with backpressure), parses the response and hands it to the
 * exchange's handler, and goes back to its pool when both directions are complete.
 */
export class UpstreamConnection implements ResponseSink, ExchangeCarrier {
  private readonly socket: Socket;
  private readonly parser = new ResponseParser();
  private exchange: Exchange | undefined = undefined;
  private connected = false;
  private connectTimer: NodeJS.Timeout | undefined;
  /** Exchanges completed on this connection. */
  private served = 0;
  private reusable = true;
  private requestSent = false;
  private releaseAfterRead = false;
  private body: Readable | undefined = undefined;
  /** When the connection went idle, in ms of `performance.now()`. */
  idleSince = 0;
  /** When a byte of the exchange in flight last moved either way. */
  private lastActivity = 0;
  /** How long it may stay idle, from the upstream's Keep-Alive hint or the pool default. */
  idleLimitMs: number;

  constructor(
    host: string,
    port: number,
    private readonly owner: OwningPool,
    defaultIdleLimitMs: number,
    /** Resolves the host (the system resolver when undefined). */
    lookup: LookupFunction | undefined,
  ) {
    this.idleLimitMs = defaultIdleLimitMs;
    this.socket = connect(
      lookup === undefined ? { host, port, noDelay: true } : { host, port, noDelay: true, lookup },
    );
    this.connectTimer = setTimeout(() => {
      this.socket.destroy(
        new UpstreamConnectError(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`),
      );
    }, CONNECT_TIMEOUT_MS);
    this.socket
      .once('connect', () => {
        this.connected = true;
        clearTimeout(this.connectTimer);
      })
      .on('data', (data: Buffer) => this.onSocketData(data))
      .on('drain', () => this.body?.resume())
      .on('end', () => this.onSocketEnd())
      .on('error', (error: Error) => this.onSocketError(error))
      .on('close', () => this.onSocketClose());
  }

  /** Whether an idle connection can take another exchange (the upstream has not closed it). */
  get usable(): boolean {
    return this.reusable && !this.socket.destroyed;
  }

  /** Sends the exchange's request on this connection. */
  start(exchange: Exchange): void {
    this.exchange = exchange;
    this.lastActivity = performance.now();
    exchange.carrier = this;
    this.requestSent = false;
    this.parser.expect(this, exchange.request.method !== 'HEAD');
    const request = exchange.request;
    const body = request.body;
    writeHeadAndBuffer(this.socket, request);
    if (body === null || Buffer.isBuffer(body)) {
      this.requestSent = true;
      return;
    }
    this.pump(body, sentChunked(request));
  }

  close(): void {
    this.reusable = false;
    if (this.exchange === undefined) this.socket.destroy();
  }

  destroy(): void {
    this.reusable = false;
    this.socket.destroy();
  }

  /** Cuts the exchange in flight if no byte moved either way for `limitMs`. */
  cutIfStalled(now: number, limitMs: number): void {
    if (this.exchange !== undefined && now - this.lastActivity > limitMs) {
      this.fail(new UpstreamIdleError(limitMs), false);
    }
  }

  abortExchange(exchange: Exchange, reason: Error): void {
    if (this.exchange !== exchange) return;
    this.fail(reason, false);
  }

  resumeExchange(exchange: Exchange): void {
    if (this.exchange === exchange) this.socket.resume();
  }

  onHead(head: ResponseHead): void {
    if (!head.keepAlive) this.reusable = false;
    if (head.keepAliveTimeoutMs !== undefined) {
      // Leave a second's margin (at least half the hint) so the upstream never closes first.
      const margin = Math.min(1000, head.keepAliveTimeoutMs / 2);
      this.idleLimitMs = Math.min(this.idleLimitMs, head.keepAliveTimeoutMs - margin);
    }
    this.exchange!.handler.onHeaders(head.status, head.headers);
  }

  onBody(chunk: Buffer): void {
    if (!this.exchange!.handler.onData(chunk)) this.socket.pause();
  }

  onEnd(): void {
    // The response may be complete before the request body is (an early 413, say); such a
    // connection is out of step and cannot carry another request.
    if (!this.requestSent) this.reusable = false;
    const exchange = this.exchange!;
    this.detach();
    this.served++;
    // Back to the pool only once the read that completed the response is fully parsed: bytes
    // after it would otherwise be taken for the next exchange's response.
    if (this.reusable) this.releaseAfterRead = true;
    else this.socket.destroy();
    exchange.handler.onComplete();
  }

  private pump(body: Readable, chunked: boolean): void {
    this.body = body;
    const socket = this.socket;
    const onData = (chunk: Buffer): void => {
      if (chunk.length === 0) return;
      this.lastActivity = performance.now();
      if (!(chunked ? writeChunk(socket, chunk) : socket.write(chunk))) body.pause();
    };
    const onEnd = (): void => {
      this.unpump();
      if (chunked) socket.write(LAST_CHUNK, 'latin1');
      this.requestSent = true;
    };
    const onCut = (error?: Error): void => {
      if (this.body !== body) return;
      this.unpump();
      this.fail(error ?? new Error('request body ended early'), false);
    };
    const onClose = (): void => onCut();
    this.unpump = (): void => {
      body.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onClose);
      this.body = undefined;
      this.unpump = noop;
      // Whatever the upstream did not take is read and dropped, so the client's connection
      // does not stall on a half-read request.
      if (!body.readableEnded) body.resume();
    };
    body.on('data', onData).once('end', onEnd).once('error', onCut).once('close', onClose);
  }

  private unpump: () => void = noop;

  private detach(): void {
    const exchange = this.exchange;
    if (exchange !== undefined) exchange.carrier = undefined;
    this.exchange = undefined;
    this.unpump();
  }

  private onSocketData(data: Buffer): void {
    this.lastActivity = performance.now();
    if (this.exchange === undefined) {
      // Bytes nobody asked for: the connection is out of step.
      this.destroy();
      return;
    }
    let leftover: number;
    try {
      leftover = this.parser.execute(data);
    } catch (error) {
      this.fail(
        error instanceof MalformedMessageError
          ? new UpstreamProtocolError(error.message)
          : (error as Error),
        false,
      );
      return;
    }
    if (leftover > 0) {
      this.destroy();
    } else if (this.releaseAfterRead) {
      this.releaseAfterRead = false;
      // A slow client may have paused the socket; idle, it must still notice a close.
      if (this.socket.isPaused()) this.socket.resume();
      this.owner.release(this);
    }
  }

  private onSocketEnd(): void {
    if (this.exchange !== undefined && this.parser.finishOnClose()) return;
    this.fail(new UpstreamClosedError(), true);
  }

  private onSocketError(error: Error): void {
    const failure =
      this.connected || error instanceof UpstreamConnectError
        ? error
        : new UpstreamConnectError(error.message, error);
    this.fail(failure, true);
  }

  private onSocketClose(): void {
    clearTimeout(this.connectTimer);
    this.reusable = false;
    this.owner.forget(this);
    this.fail(new UpstreamClosedError(), true);
  }

  /**
   * Ends the exchange in flight with `error` and closes the connection. When the upstream
   * dropped a reused connection before a single response byte (it closed an idle connection
   * just as we sent), a request that is safe to send again goes out on a new connection.
   */
  private fail(error: Error, byUpstream: boolean): void {
    this.reusable = false;
    const exchange = this.exchange;
    this.detach();
    this.socket.destroy();
    if (exchange === undefined) return;
    if (
      byUpstream &&
      this.served > 0 &&
      !this.parser.started &&
      !(error instanceof UpstreamProtocolError) &&
      safeToResend(exchange.request)
    ) {
      this.owner.resend(exchange);
      return;
    }
    exchange.handler.onError(error);
  }
}

function noop(): void {}
