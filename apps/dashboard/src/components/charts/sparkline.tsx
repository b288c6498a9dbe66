import type { ServiceTrends } from '@trellis/contracts';
import { NO_DATA, formatRps } from '../../format/metric-format';

const WIDTH = 96;
const HEIGHT = 24;

type Points = ServiceTrends['services'][number]['points'];

/**
 * Requests per second over the window, as a tiny line; plain SVG keeps a long table cheap. The
 * overview reads every service's points in one request (`trends`).
 */
export function Sparkline({ points = [] }: { points?: Points }) {
  const values = points.map((p) => p.rps);
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return <span className="muted">{NO_DATA}</span>;
  const max = Math.max(...known, 0.001);
  const step = WIDTH / (values.length - 1);
  const path = values
    .map((v, i) =>
      v === null
        ? null
        : `${(i * step).toFixed(1)},${(HEIGHT - 2 - ((HEIGHT - 4) * v) / max).toFixed(1)}`,
    )
    .filter(Boolean)
    .join(' ');
  return (
    <svg
      width={WIDTH}
      height={HEIGHT}
      className="sparkline"
      role="img"
      aria-label={`Requests per second over the window, peak ${formatRps(max)}`}
    >
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}
