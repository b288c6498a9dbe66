'use client';

import type { GoldenMetricsView, ServiceDetail } from '@trellis/contracts';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useHealthOf } from '../../live/use-health';
import { useLiveView } from '../../live/use-live-view';
import { useViewState } from '../../live/use-view-state';
import { HealthBadge } from '../common/health-badge';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { EdgesTable } from './edges-table';

export function servicePath(service: string, window: string) {
  return `services/${encodeURIComponent(service)}?window=${window}`;
}

export function GoldenStats({ metrics }: { metrics: GoldenMetricsView }) {
  const healthOf = useHealthOf();
  const health = healthOf(metrics.successRate);
  return (
    <div className="stat-strip" data-testid="golden-stats">
      <div className="stat">
        <span className="stat-label">Health</span>
        <span className="stat-value" style={{ fontSize: 16, paddingTop: 3 }}>
          <HealthBadge health={health} />
        </span>
      </div>
      <div className="stat">
        <span className="stat-label">Success rate</span>
        <span className={`stat-value sr ${health}`}>{formatPercent(metrics.successRate)}</span>
      </div>
      <div className="stat">
        <span className="stat-label">Requests/s</span>
        <span className="stat-value">{formatRps(metrics.rps)}</span>
      </div>
      <div className="stat">
        <span className="stat-label">p50</span>
        <span className="stat-value">{formatLatency(metrics.p50)}</span>
      </div>
      <div className="stat">
        <span className="stat-label">p95</span>
        <span className="stat-value">{formatLatency(metrics.p95)}</span>
      </div>
      <div className="stat">
        <span className="stat-label">p99</span>
        <span className="stat-value">{formatLatency(metrics.p99)}</span>
      </div>
    </div>
  );
}

/** The service's own numbers, and who calls it and whom it calls. */
export function ServiceSummaryView({
  service,
  initial,
}: {
  service: string;
  initial: ServiceDetail | undefined;
}) {
  const { window } = useViewState();
  const { data, error } = useLiveView<ServiceDetail>(servicePath(service, window), initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={3} />;
  return (
    <>
      <section className="panel" aria-label="Golden metrics">
        <div className="stat-strip">
          <GoldenStats metrics={data.service.metrics} />
          <div className="stat">
            <span className="stat-label">Instances</span>
            <span className="stat-value">
              {data.service.instances.live}
              {data.service.instances.stale > 0 && (
                <span className="muted"> +{data.service.instances.stale} stale</span>
              )}
            </span>
          </div>
        </div>
      </section>
      <div className="grid-2">
        <section className="panel" aria-labelledby="inbound-title" data-testid="inbound-edges">
          <div className="panel-head">
            <h2 id="inbound-title">Inbound · who calls {service}</h2>
          </div>
          <EdgesTable edges={data.inbound} peer="source" />
        </section>
        <section className="panel" aria-labelledby="outbound-title" data-testid="outbound-edges">
          <div className="panel-head">
            <h2 id="outbound-title">Outbound · whom {service} calls</h2>
          </div>
          <EdgesTable edges={data.outbound} peer="destination" />
        </section>
      </div>
    </>
  );
}
