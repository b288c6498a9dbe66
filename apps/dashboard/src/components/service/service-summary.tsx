'use client';

import type { GoldenMetricsView, Health, ServiceDetail } from '@trellis/contracts';
import type { ReactNode } from 'react';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { DataSpanNote } from '../common/data-span-note';
import { HealthBadge } from '../common/health-badge';
import { Skeleton } from '../common/skeleton';
import { StatusBreakdownTable } from '../common/status-breakdown';
import { ViewErrorNotice } from '../common/view-error';
import { EdgesTable } from './edges-table';

function Stat({ label, value, title }: { label: string; value: ReactNode; title?: string }) {
  return (
    <div className="stat" title={title}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
    </div>
  );
}

/** A service's headline: what its callers experienced, after retries. */
export function GoldenStats({ metrics, health }: { metrics: GoldenMetricsView; health: Health }) {
  return (
    <div className="stat-strip" data-testid="golden-stats">
      <Stat label="Health" value={<HealthBadge health={health} />} />
      <div className="stat">
        <span className="stat-label">Success rate</span>
        <span className={`stat-value sr ${health}`} data-testid="headline-success-rate">
          {formatPercent(metrics.successRate)}
        </span>
      </div>
      <Stat
        label="Requests/s"
        value={<span data-testid="headline-rps">{formatRps(metrics.rps)}</span>}
      />
      <Stat label="p50" value={formatLatency(metrics.p50)} />
      <Stat label="p95" value={formatLatency(metrics.p95)} />
      <Stat label="p99" value={formatLatency(metrics.p99)} />
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
  const { data, error } = useLiveView('service', { service }, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={3} />;
  return (
    <>
      <section className="panel" aria-labelledby="experienced-title">
        <div className="panel-head">
          <h2 id="experienced-title">What callers experienced</h2>
          <span className="muted">
            after retries, as each caller&apos;s proxy measured it
            <DataSpanNote window={data.window} />
          </span>
        </div>
        <div className="stat-strip">
          <GoldenStats metrics={data.service.metrics} health={data.service.health} />
          <Stat
            label="Instances"
            value={
              <>
                {data.service.instances.live}
                {data.service.instances.stale > 0 && (
                  <span className="muted"> +{data.service.instances.stale} stale</span>
                )}
              </>
            }
          />
        </div>
        <h3 className="stat-subhead" id="served-title">
          What {service}&apos;s own proxies served{' '}
          <span className="muted">every attempt that reached it, retries included</span>
        </h3>
        <div className="stat-strip" data-testid="served-stats">
          <Stat label="Success rate" value={formatPercent(data.service.served.successRate)} />
          <Stat label="Requests/s" value={formatRps(data.service.served.rps)} />
          <Stat label="p50" value={formatLatency(data.service.served.p50)} />
          <Stat label="p99" value={formatLatency(data.service.served.p99)} />
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
      <section className="panel" aria-labelledby="statuses-title">
        <div className="panel-head">
          <h2 id="statuses-title">Responses by status</h2>
          <span className="muted">what callers of {service} got</span>
        </div>
        <StatusBreakdownTable statuses={data.statuses} />
      </section>
    </>
  );
}
