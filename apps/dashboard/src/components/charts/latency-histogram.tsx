'use client';

import type { HistogramView } from '@trellis/contracts';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCount, formatLatency } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';

const AXIS = { stroke: '#8b98a8', fontSize: 11 };

function bucketLabel(bounds: number[], i: number): string {
  return i < bounds.length ? `≤${formatLatency(bounds[i]!)}` : `>${formatLatency(bounds.at(-1)!)}`;
}

/** Where the window's requests fell in the proxies' latency buckets, trimmed to the used range. */
export function LatencyHistogram({
  service,
  route,
  initial,
}: {
  service: string;
  route: string;
  initial: HistogramView | undefined;
}) {
  const { data, error } = useLiveView('histogram', { service, route }, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={6} />;
  const used = data.counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  if (used.length === 0) return <p className="muted">No requests in this window.</p>;
  const from = Math.max(0, used[0]! - 1);
  const to = Math.min(data.counts.length - 1, used.at(-1)! + 1);
  const rows = data.counts
    .slice(from, to + 1)
    .map((count, k) => ({ bucket: bucketLabel(data.bounds, from + k), count }));
  const percentileBucket = (value: number | null) => {
    if (value === null) return undefined;
    const i = data.bounds.findIndex((b) => value <= b);
    return bucketLabel(data.bounds, i === -1 ? data.bounds.length : i);
  };
  const marks = [
    { label: 'p50', value: data.p50, color: '#7ee787' },
    { label: 'p99', value: data.p99, color: '#f85149' },
  ];
  return (
    <figure style={{ margin: 0 }} data-testid="latency-histogram">
      <figcaption className="chart-title">
        Latency distribution{' '}
        <span className="chart-unit">
          requests per bucket · p50 {formatLatency(data.p50, data.timeoutSeconds)} · p95{' '}
          {formatLatency(data.p95, data.timeoutSeconds)} · p99{' '}
          {formatLatency(data.p99, data.timeoutSeconds)}
        </span>
      </figcaption>
      <div className="chart-box" style={{ height: 240 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={rows}
            margin={{ top: 16, right: 12, bottom: 0, left: 0 }}
            accessibilityLayer={false}
          >
            <CartesianGrid stroke="#263040" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="bucket"
              tick={AXIS}
              stroke="#3a4656"
              interval={0}
              angle={-30}
              textAnchor="end"
              height={50}
            />
            <YAxis tick={AXIS} stroke="#3a4656" width={56} tickFormatter={formatCount} />
            <Tooltip
              formatter={(value) => [formatCount(Number(value)), 'requests']}
              contentStyle={{ background: '#1b2330', border: '1px solid #3a4656' }}
              cursor={{ fill: 'rgba(88,166,255,0.08)' }}
            />
            <Bar dataKey="count" fill="#58a6ff" isAnimationActive={false} radius={[3, 3, 0, 0]} />
            {marks.map(
              (m) =>
                percentileBucket(m.value) && (
                  <ReferenceLine
                    key={m.label}
                    x={percentileBucket(m.value)}
                    stroke={m.color}
                    strokeDasharray="4 3"
                    label={{ value: m.label, position: 'top', fill: m.color, fontSize: 11 }}
                  />
                ),
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
