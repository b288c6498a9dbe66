'use client';

import type { Series } from '@trellis/contracts';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { useViewState } from '../../live/use-view-state';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { TimeSeriesChart, type ChartRow, type PolicyMark } from './time-series-chart';

export function seriesPath(service: string, route: string | null, window: string): string {
  const query = new URLSearchParams({ service, window });
  if (route) query.set('route', route);
  return `series?${query}`;
}

/** The success-rate axis starts at a round ten below the lowest point, so dips stay visible. */
function successFloor(lowest: number): number {
  return Math.max(0, Math.floor(lowest * 10 - 0.001) / 10);
}

const axisNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const formatAxisNumber = (value: number) => axisNumber.format(value);

/** Success rate, requests per second and latency percentiles over the window. */
export function GoldenCharts({
  service,
  route,
  initial,
}: {
  service: string;
  route: string | null;
  initial: Series | undefined;
}) {
  const { window } = useViewState();
  const { data, error } = useLiveView<Series>(seriesPath(service, route, window), initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={6} />;

  const rows: ChartRow[] = data.points.map((p) => ({
    t: Date.parse(p.t),
    successRate: p.successRate,
    rps: p.rps,
    p50: p.p50 === null ? null : p.p50 * 1000,
    p95: p.p95 === null ? null : p.p95 * 1000,
    p99: p.p99 === null ? null : p.p99 * 1000,
  }));
  const marks: PolicyMark[] = data.policyChanges.map((c) => ({
    t: Date.parse(c.t),
    version: c.version,
    reason: c.reason,
  }));
  const common = {
    rows,
    marks,
    window: { from: Date.parse(data.window.from), to: Date.parse(data.window.to) },
  };
  const lowestRate = Math.min(1, ...rows.map((r) => r.successRate ?? 1));
  const markList = marks.length > 0 && (
    <ul className="policy-marks muted" data-testid="policy-marks">
      {marks.map((m) => (
        <li key={`${m.version}-${m.t}`}>
          <span className="brand-mark">┆</span> v{m.version} at{' '}
          {new Date(m.t).toLocaleTimeString('en-GB')}: <bdi>{m.reason}</bdi>
        </li>
      ))}
    </ul>
  );
  if (!data.points.some((p) => p.rps !== null && p.rps > 0)) {
    return (
      <div data-testid="golden-charts" data-policy-marks={marks.length}>
        <p className="muted">
          No requests in the last {window}: the charts fill in as traffic arrives.
        </p>
        {markList}
      </div>
    );
  }
  return (
    <div className="grid-3" data-testid="golden-charts" data-policy-marks={marks.length}>
      <TimeSeriesChart
        {...common}
        title="Success rate"
        unit="%"
        testId="chart-success-rate"
        lines={[{ key: 'successRate', label: 'Success rate', color: '#3fb950' }]}
        format={(v) => formatPercent(v, 1)}
        tickFormat={(v) => `${formatAxisNumber(v * 100)}%`}
        domain={[successFloor(lowestRate), 1]}
      />
      <TimeSeriesChart
        {...common}
        title="Request rate"
        unit="req/s"
        testId="chart-rps"
        lines={[{ key: 'rps', label: 'Requests/s', color: '#58a6ff' }]}
        format={formatRps}
        tickFormat={formatAxisNumber}
      />
      <TimeSeriesChart
        {...common}
        title="Latency"
        unit="ms"
        testId="chart-latency"
        lines={[
          { key: 'p50', label: 'p50', color: '#7ee787' },
          { key: 'p95', label: 'p95', color: '#d29922' },
          { key: 'p99', label: 'p99', color: '#f85149' },
        ]}
        format={(ms) => (ms === 0 ? '0' : formatLatency(ms / 1000))}
      />
      {markList}
    </div>
  );
}
