import http from 'node:http';
import type { DemoMesh } from '../mesh/demo-config.js';
import { sendThroughProxy } from '../mesh/proxied-call.js';

/** Sends happen on this tick; 50 ms keeps the rate smooth without a timer per request. */
const TICK_MS = 50;

/** Open-loop sending stops adding requests past this many in flight, so an overload cannot snowball. */
const MAX_IN_FLIGHT = 256;

export interface TrafficStats {
  sent: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface TrafficOptions {
  traffic: DemoMesh['traffic'];
  /** The service every request is addressed to (`Host`). */
  entry: string;
  /** The traffic generator's own proxy: requests go to its outbound port. */
  outboundPort: number;
  random?: () => number;
}

export interface TrafficGenerator {
  readonly stats: TrafficStats;
  stop(): Promise<void>;
}

/**
 * A steady open-loop load: `rps` requests a second whatever the answers take, picked from the
 * weighted mix, sent through a proxy so the entry service sees a meshed caller.
 */
export function startTraffic(options: TrafficOptions): TrafficGenerator {
  const random = options.random ?? Math.random;
  const { mix, rps } = options.traffic;
  const totalWeight = mix.reduce((sum, target) => sum + target.weight, 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const stats: TrafficStats = { sent: 0, succeeded: 0, failed: 0, skipped: 0 };
  let inFlight = 0;
  const pending = new Set<Promise<void>>();

  const pick = () => {
    let point = random() * totalWeight;
    for (const target of mix) {
      point -= target.weight;
      if (point < 0) return target;
    }
    return mix[mix.length - 1]!;
  };

  const send = (): void => {
    const target = pick();
    const body = target.method === 'GET' || target.method === 'HEAD' ? undefined : '{}';
    inFlight++;
    stats.sent++;
    const done = sendThroughProxy(
      { agent, outboundPort: options.outboundPort, random },
      { ...target, service: options.entry },
      body,
    ).then((status) => {
      if (status > 0 && status < 500) stats.succeeded++;
      else stats.failed++;
      inFlight--;
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  // What is owed follows the clock, not the count of ticks: a tick that comes late on a busy
  // machine sends what it missed, so the rate is `rps` on average whatever the timer does.
  const startedAt = performance.now();
  let issued = 0;
  const timer = setInterval(() => {
    const owed = Math.floor(((performance.now() - startedAt) * rps) / 1000);
    while (issued < owed) {
      issued++;
      if (inFlight >= MAX_IN_FLIGHT) stats.skipped++;
      else send();
    }
  }, TICK_MS);

  return {
    stats,
    stop: async () => {
      clearInterval(timer);
      // Requests still out are cut, not awaited: a slow tail must not hold up a stop.
      agent.destroy();
      await Promise.all(pending);
    },
  };
}
