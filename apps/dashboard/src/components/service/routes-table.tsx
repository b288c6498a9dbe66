'use client';

import type { RouteList } from '@trellis/contracts';
import { formatCount, formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { HealthBadge } from '../common/health-badge';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { ViewLink } from '../shell/view-link';

/**
 * Per route, like `linkerd viz routes -o wide`: what callers saw (effective) next to what was
 * sent upstream (actual), so retries that hide failures are visible.
 */
export function RoutesTable({
  service,
  initial,
}: {
  service: string;
  initial: RouteList | undefined;
}) {
  const { data, error } = useLiveView('routes', { service }, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={4} />;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="routes-table">
        <thead>
          <tr>
            <th scope="col">Route</th>
            <th scope="col">Health</th>
            <th scope="col" className="num group-start" title="What callers saw, after retries">
              Eff. success
            </th>
            <th scope="col" className="num">
              Eff. RPS
            </th>
            <th scope="col" className="num group-start" title="Every attempt sent upstream">
              Act. success
            </th>
            <th scope="col" className="num">
              Act. RPS
            </th>
            <th scope="col" className="num group-start">
              Retries
            </th>
            <th scope="col" className="num" title="Retries refused by the retry budget">
              Budget exh.
            </th>
            <th scope="col" className="num group-start">
              p50
            </th>
            <th scope="col" className="num">
              p95
            </th>
            <th scope="col" className="num">
              p99
            </th>
          </tr>
        </thead>
        <tbody>
          {data.routes.map((r) => {
            const health = r.health;
            return (
              <tr key={r.route} className={`health-row ${health}`} data-route={r.route}>
                <th scope="row">
                  <ViewLink
                    href={`/services/${encodeURIComponent(service)}/routes/${encodeURIComponent(r.route)}`}
                  >
                    {r.route}
                  </ViewLink>
                </th>
                <td>
                  <HealthBadge health={health} />
                </td>
                <td className={`num group-start sr ${health}`}>
                  {formatPercent(r.effective.successRate)}
                </td>
                <td className="num">{formatRps(r.effective.rps)}</td>
                <td className={`num group-start sr ${r.actual.health}`}>
                  {formatPercent(r.actual.successRate)}
                </td>
                <td className="num">{formatRps(r.actual.rps)}</td>
                <td className="num group-start">{formatCount(r.retries.retried)}</td>
                <td className="num">{formatCount(r.retries.budgetExhausted)}</td>
                <td className="num group-start">
                  {formatLatency(r.effective.p50, r.timeoutSeconds)}
                </td>
                <td className="num">{formatLatency(r.effective.p95, r.timeoutSeconds)}</td>
                <td className="num">{formatLatency(r.effective.p99, r.timeoutSeconds)}</td>
              </tr>
            );
          })}
          {data.routes.length === 0 && (
            <tr>
              <td colSpan={11} className="empty">
                No requests to {service} in this window.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
