'use client';

import type { Series } from '@trellis/contracts';
import { useLiveView } from '../../live/use-live-view';
import { NO_DATA } from '../../format/metric-format';

const WIDTH = 96;
const HEIGHT = 24;

/** Requests per second over the window, as a tiny line; plain SVG keeps a long table cheap. */
export function Sparkline({ service, window }: { service: string; window: string }) {
  const { data } = useLiveView<Series>(
    `series?service=${encodeURIComponent(service)}&window=${window}`,
    undefined,
  );
  const values = (data?.points ?? []).map((p) => p.rps);
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
      aria-label={`Requests per second over the window, peak ${max.toFixed(1)}`}
    >
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}
