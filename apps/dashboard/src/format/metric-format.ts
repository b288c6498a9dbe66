/** How golden metrics read on screen. `null` is "no traffic", shown as a dash, never as 0. */

export const NO_DATA = '—';

export function formatPercent(ratio: number | null, digits = 2): string {
  if (ratio === null) return NO_DATA;
  const percent = ratio * 100;
  if (percent === 100) return '100%';
  return `${percent.toFixed(digits)}%`;
}

export function formatRps(rps: number | null): string {
  if (rps === null) return NO_DATA;
  if (rps === 0) return '0';
  if (rps < 0.1) return rps.toFixed(3);
  if (rps < 10) return rps.toFixed(2);
  if (rps < 1000) return rps.toFixed(1);
  return `${(rps / 1000).toFixed(1)}k`;
}

/**
 * Latencies arrive in seconds; people read milliseconds. A quantile estimated above the
 * route's timeout only says that the slowest requests hit it (the estimate interpolates inside
 * a bucket no request can reach the far end of), so it reads "> timeout".
 */
export function formatLatency(seconds: number | null, timeoutSeconds?: number): string {
  if (seconds === null) return NO_DATA;
  if (timeoutSeconds !== undefined && seconds > timeoutSeconds) {
    return `> ${formatLatency(timeoutSeconds)} timeout`;
  }
  const ms = seconds * 1000;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A span of time in words: "45 s", "2 min 10 s", "3 h 5 min". */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const rest = whole % 60;
    return rest === 0 ? `${Math.floor(whole / 60)} min` : `${Math.floor(whole / 60)} min ${rest} s`;
  }
  const minutes = Math.floor((whole % 3600) / 60);
  return minutes === 0
    ? `${Math.floor(whole / 3600)} h`
    : `${Math.floor(whole / 3600)} h ${minutes} min`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB');
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatAgo(iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  return `${Math.floor(seconds / 3600)}h ago`;
}
