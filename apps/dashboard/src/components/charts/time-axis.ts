/**
 * Ticks for a time axis that spans the whole window, whatever part of it has data: a gap at
 * the start then reads as "no traffic yet" instead of the curve being stretched across the
 * chart, and every tick label is distinct (seconds appear when the step is under a minute).
 */

const STEPS_SECONDS = [
  5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

export interface TimeAxis {
  domain: [number, number];
  ticks: number[];
  format(t: number): string;
}

export function timeAxis(fromMs: number, toMs: number, maxTicks = 6): TimeAxis {
  const spanSeconds = Math.max(1, (toMs - fromMs) / 1000);
  const step =
    STEPS_SECONDS.find((s) => spanSeconds / s <= maxTicks) ??
    Math.ceil(spanSeconds / maxTicks / 86_400) * 86_400;
  const stepMs = step * 1000;
  // Aligned to the step in local time, so ticks land on round minutes and hours.
  const offsetMs = new Date(fromMs).getTimezoneOffset() * 60_000;
  const first = Math.ceil((fromMs - offsetMs) / stepMs) * stepMs + offsetMs;
  const ticks: number[] = [];
  for (let t = first; t <= toMs; t += stepMs) ticks.push(t);
  const format = (t: number) => {
    const date = new Date(t);
    if (step >= 86_400) return date.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' });
    return date.toLocaleTimeString('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: step < 60 ? '2-digit' : undefined,
    });
  };
  return { domain: [fromMs, toMs], ticks, format };
}
