'use client';

import type { Series } from '@trellis/contracts';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { LocalTime } from '../common/local-time';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { TimeSeriesChart, type ChartRow, type PolicyMark } from './time-series-chart';

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
  const { data, error } = useLiveView('series', {}, initial, { query: { service, route } });
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={6} />;
  return <GoldenChartsOf data={data} />;
}

/** The charts of one series: success rate, request rate and latency, one unit per axis. */
export function GoldenChartsOf({ data }: { data: Series }) {
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
  // One unit on the latency axis: seconds once the slowest line passes one second.
  const slowestMs = Math.max(0, ...rows.map((r) => r.p99 ?? 0));
  const latencyUnit = slowestMs >= 1000 ? 's' : 'ms';
  const inLatencyUnit = (ms: number) => (latencyUnit === 's' ? ms / 1000 : ms);
  const timeoutMs = data.timeoutSeconds * 1000;
  const markList = marks.length > 0 && (
    <ul className="policy-marks muted" data-testid="policy-marks">
      {marks.map((m) => (
        <li key={`${m.version}-${m.t}`}>
          <span className="brand-mark">┆</span> v{m.version} at <LocalTime at={m.t} format="time" />
          : <bdi>{m.reason}</bdi>
        </li>
      ))}
    </ul>
  );
  if (!data.points.some((p) => p.rps !== null && p.rps > 0)) {
    return (
      <div data-testid="golden-charts" data-policy-marks={marks.length}>
        <p className="muted">No requests in this window: the charts fill in as traffic arrives.</p>
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
        unit={latencyUnit}
        testId="chart-latency"
        lines={[
          { key: 'p50', label: 'p50', color: '#7ee787' },
          { key: 'p95', label: 'p95', color: '#d29922' },
          { key: 'p99', label: 'p99', color: '#f85149' },
        ]}
        format={(ms) =>
          ms > timeoutMs
            ? formatLatency(ms / 1000, data.timeoutSeconds)
            : `${formatAxisNumber(inLatencyUnit(ms))} ${latencyUnit}`
        }
        tickFormat={(ms) => formatAxisNumber(inLatencyUnit(ms))}
      />
      {markList}
    </div>
  );
}
