'use client';

import {
  HEALTH,
  UNKNOWN_SOURCE,
  type Health,
  type ServiceList,
  type ServiceSummary,
} from '@trellis/contracts';
import { useMemo, useState } from 'react';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { Sparkline } from '../charts/sparkline';
import { DataSpanNote } from '../common/data-span-note';
import { HealthBadge } from '../common/health-badge';
import { compareNullable, SortHeader, type SortDirection } from '../common/sort-header';
import { ViewErrorNotice } from '../common/view-error';
import { Skeleton } from '../common/skeleton';
import { ViewLink } from '../shell/view-link';

type Column = 'service' | 'health' | 'successRate' | 'rps' | 'p50' | 'p95' | 'p99' | 'instances';

const HEALTH_ORDER: Record<Health, number> = { failing: 0, warning: 1, healthy: 2, idle: 3 };

function sortValue(row: ServiceSummary, column: Column) {
  switch (column) {
    case 'service':
      return row.service;
    case 'health':
      return HEALTH_ORDER[row.health];
    case 'instances':
      return row.instances.live;
    default:
      return row.metrics[column];
  }
}

export function ServicesTable({ initial }: { initial: ServiceList | undefined }) {
  const { data, error } = useLiveView('services', {}, initial);
  const { data: trends } = useLiveView('trends', {}, undefined);
  const trendOf = useMemo(
    () => new Map((trends?.services ?? []).map((t) => [t.service, t.points])),
    [trends],
  );
  const [filter, setFilter] = useState('');
  const [healthFilter, setHealthFilter] = useState<Health | 'all'>('all');
  const [sort, setSort] = useState<{ column: Column; direction: SortDirection }>({
    column: 'health',
    direction: 'asc',
  });

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (data?.services ?? [])
      .filter((s) => s.service.includes(needle))
      .filter((s) => healthFilter === 'all' || s.health === healthFilter)
      .sort(
        (a, b) =>
          compareNullable(sortValue(a, sort.column), sortValue(b, sort.column), sort.direction) ||
          a.service.localeCompare(b.service),
      );
  }, [data, filter, healthFilter, sort]);

  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={6} />;

  const onSort = (column: Column) =>
    setSort((s) =>
      s.column === column
        ? { column, direction: s.direction === 'asc' ? 'desc' : 'asc' }
        : { column, direction: column === 'service' || column === 'health' ? 'asc' : 'desc' },
    );
  const header = { sort, onSort };

  return (
    <>
      <div className="table-toolbar">
        <input
          type="search"
          placeholder="Filter services"
          aria-label="Filter services"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <select
          aria-label="Filter by health"
          value={healthFilter}
          onChange={(event) => setHealthFilter(event.target.value as Health | 'all')}
        >
          <option value="all">All health</option>
          {HEALTH.map((h) => (
            <option key={h} value={h}>
              {h[0]!.toUpperCase() + h.slice(1)}
            </option>
          ))}
        </select>
        <span className="muted">
          {rows.length} of {data.services.length} services
          <DataSpanNote window={data.window} />
        </span>
      </div>
      <div className="table-scroll">
        <table className="data-table" data-testid="services-table">
          <thead>
            <tr>
              <SortHeader column="service" label="Service" {...header} />
              <SortHeader column="health" label="Health" {...header} />
              <SortHeader column="successRate" label="Success" numeric {...header} />
              <SortHeader column="rps" label="RPS" numeric {...header} />
              <SortHeader column="p50" label="p50" numeric {...header} />
              <SortHeader column="p95" label="p95" numeric {...header} />
              <SortHeader column="p99" label="p99" numeric {...header} />
              <SortHeader
                column="instances"
                label="Instances"
                numeric
                title="Live proxies (stale in brackets)"
                {...header}
              />
              <th scope="col">Trend (RPS)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.service} className={`health-row ${s.health}`} data-service={s.service}>
                <th scope="row">
                  <ViewLink href={`/services/${encodeURIComponent(s.service)}`}>
                    {s.service}
                  </ViewLink>
                  {s.service === UNKNOWN_SOURCE && (
                    <span className="muted service-note">callers outside the mesh</span>
                  )}
                </th>
                <td>
                  <HealthBadge health={s.health} />
                </td>
                <td className={`num sr ${s.health}`} data-testid="success-rate">
                  {formatPercent(s.metrics.successRate)}
                </td>
                <td className="num" data-testid="rps">
                  {formatRps(s.metrics.rps)}
                </td>
                <td className="num">{formatLatency(s.metrics.p50)}</td>
                <td className="num">{formatLatency(s.metrics.p95)}</td>
                <td className="num">{formatLatency(s.metrics.p99)}</td>
                <td className="num">
                  {s.instances.live}
                  {s.instances.stale > 0 && <span className="muted"> ({s.instances.stale})</span>}
                </td>
                <td className={`trend ${s.health}`}>
                  <Sparkline points={trendOf.get(s.service)} />
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={9} className="empty">
                  {data.services.length === 0
                    ? 'No services yet: start a proxy with --control-plane to see it here.'
                    : 'No service matches the filter.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
