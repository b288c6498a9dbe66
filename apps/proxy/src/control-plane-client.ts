import {
  CONFIG_EVENT,
  IssuedCertificateSchema,
  type IssuedCertificate,
  ProxyHeartbeatResponseSchema,
  type ProxyHeartbeatInput,
} from '@trellis/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 15_000;

/** Exponential backoff with full jitter, for reconnecting to an unreachable control plane. */
function retryDelayMs(failures: number): number {
  return Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures, 16));
}

/** Incremental `text/event-stream` parser: dispatches (event, data) at each blank line. */
export class EventStreamParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  constructor(private readonly dispatch: (event: string, data: string) => void) {}

  push(text: string): void {
    this.buffer += text;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      let line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.dispatch(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

export interface ControlPlaneClientOptions {
  url: string;
  token: string;
  /** The heartbeat body, read fresh each time (it carries what is applied). */
  heartbeat: () => ProxyHeartbeatInput;
  log: (line: string) => void;
}

/**
 * Talks to the collector: registers and heartbeats (`POST /v1/proxies`), and watches configs
 * (`GET /v1/config/:service?watch=true`). Every loop survives an unreachable control plane by
 * retrying with backoff, logging once per outage; the proxy keeps its last good config.
 */
export class ControlPlaneClient {
  private readonly agent = new Agent({ bodyTimeout: 0, headersTimeout: 30_000 });
  private readonly stopped = new AbortController();
  private readonly base: string;
  /** Ends the wait for the next heartbeat early; set while the heartbeat loop waits. */
  private wake: (() => void) | undefined;

  constructor(private readonly options: ControlPlaneClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  private get authorization(): string {
    return `Bearer ${this.options.token}`;
  }

  startHeartbeats(): void {
    void this.heartbeatLoop();
  }

  /**
   * Sends a heartbeat now rather than at the next interval, so the control plane learns at
   * once which policy version this proxy applied (or rejected) after a push.
   */
  reportNow(): void {
    this.wake?.();
  }

  /** Watches a service's config until the client closes or the returned function is called. */
  watch(service: string, onConfig: (data: string) => void): () => void {
    const stopped = new AbortController();
    void this.watchLoop(service, onConfig, AbortSignal.any([this.stopped.signal, stopped.signal]));
    return () => stopped.abort();
  }

  /** Sends a certificate signing request for `service`; rejects when no certificate comes back. */
  async requestCertificate(service: string, csr: string): Promise<IssuedCertificate> {
    const response = await request(`${this.base}/v1/certificates`, {
      method: 'POST',
      dispatcher: this.agent,
      signal: this.stopped.signal,
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ service, csr }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    }
    return IssuedCertificateSchema.parse(JSON.parse(text));
  }

  async close(): Promise<void> {
    this.stopped.abort();
    await this.agent.destroy();
  }

  /**
   * Waits `ms` (or until reportNow() when `wakeable`); false once `until` (the client's closing
   * by default) is aborted.
   */
  private async pause(ms: number, wakeable = false, until = this.stopped.signal): Promise<boolean> {
    const woken = new AbortController();
    if (wakeable) this.wake = () => woken.abort();
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([until, woken.signal]) });
    } catch {
      // Woken early, or stopped: the signal says which.
    } finally {
      if (wakeable) this.wake = undefined;
    }
    return !until.aborted;
  }

  private async heartbeatLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped.signal.aborted) {
      let waitMs: number;
      try {
        const response = await request(`${this.base}/v1/proxies`, {
          method: 'POST',
          dispatcher: this.agent,
          signal: this.stopped.signal,
          headers: { authorization: this.authorization, 'content-type': 'application/json' },
          body: JSON.stringify(this.options.heartbeat()),
        });
        const text = await response.body.text();
        if (response.statusCode >= 300)
          throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
        const answer = ProxyHeartbeatResponseSchema.parse(JSON.parse(text));
        if (failures > 0) this.options.log(`control plane reachable again at ${this.base}`);
        failures = 0;
        waitMs = answer.heartbeatIntervalSeconds * 1000;
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        if (failures++ === 0) {
          this.options.log(
            `heartbeat to ${this.base} failed, retrying with backoff: ${String(error)}`,
          );
        }
        waitMs = retryDelayMs(failures);
      }
      if (!(await this.pause(waitMs, true))) return;
    }
  }

  private async watchLoop(
    service: string,
    onConfig: (data: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let failures = 0;
    const url = `${this.base}/v1/config/${encodeURIComponent(service)}?watch=true`;
    while (!signal.aborted) {
      try {
        const response = await request(url, {
          dispatcher: this.agent,
          signal,
          headers: { authorization: this.authorization, accept: 'text/event-stream' },
        });
        if (response.statusCode !== 200) {
          const text = await response.body.text();
          throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
        }
        const parser = new EventStreamParser((event, data) => {
          failures = 0;
          if (event === CONFIG_EVENT && !signal.aborted) onConfig(data);
        });
        response.body.setEncoding('utf8');
        for await (const chunk of response.body) parser.push(chunk as string);
        throw new Error('the config stream ended');
      } catch (error) {
        if (signal.aborted) return;
        if (failures++ === 0) {
          this.options.log(
            `config watch for "${service}" failed, retrying with backoff: ${String(error)}`,
          );
        }
        if (!(await this.pause(retryDelayMs(failures), false, signal))) return;
      }
    }
  }
}
