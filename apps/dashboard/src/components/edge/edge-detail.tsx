'use client';

import type { EdgeDetail } from '@trellis/contracts';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { useLiveView } from '../../live/use-live-view';
import { GoldenChartsOf } from '../charts/golden-charts';
import { DataSpanNote } from '../common/data-span-note';
import { HealthBadge } from '../common/health-badge';
import { Skeleton } from '../common/skeleton';
import { StatusBreakdownTable } from '../common/status-breakdown';
import { ViewErrorNotice } from '../common/view-error';
import { GoldenStats } from '../service/service-summary';
import { ViewLink } from '../shell/view-link';

/** The calls from one service to another: headline, by route, by status and over time. */
export function EdgeDetailView({
  source,
  destination,
  initial,
}: {
  source: string;
  destination: string;
  initial: EdgeDetail | undefined;
}) {
  const { data, error } = useLiveView('edge', { source, destination }, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={6} />;
  const measured =
    data.edge.measuredBy === 'outbound'
      ? `as ${source}'s proxy measured them, after retries`
      : `as ${destination}'s proxy received them (${source} runs no proxy)`;
  return (
    <>
      <section className="panel" aria-labelledby="edge-calls-title">
        <div className="panel-head">
          <h2 id="edge-calls-title">Calls</h2>
          <span className="muted">
            {measured}
            <DataSpanNote window={data.window} />
          </span>
        </div>
        <GoldenStats metrics={data.edge.metrics} health={data.edge.health} />
      </section>
      <div className="grid-2">
        <section className="panel" aria-labelledby="edge-routes-title">
          <div className="panel-head">
            <h2 id="edge-routes-title">By route of {destination}</h2>
          </div>
          <div className="table-scroll">
            <table className="data-table" data-testid="edge-routes">
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col">Health</th>
                  <th scope="col" className="num">
                    Success
                  </th>
                  <th scope="col" className="num">
                    RPS
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                  <th scope="col" className="num">
                    5xx
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.routes.map((r) => (
                  <tr key={r.route} className={`health-row ${r.health}`} data-route={r.route}>
                    <th scope="row">
                      <ViewLink
                        href={`/services/${encodeURIComponent(destination)}/routes/${encodeURIComponent(r.route)}`}
                      >
                        {r.route}
                      </ViewLink>
                    </th>
                    <td>
                      <HealthBadge health={r.health} />
                    </td>
                    <td className={`num sr ${r.health}`}>{formatPercent(r.metrics.successRate)}</td>
                    <td className="num">{formatRps(r.metrics.rps)}</td>
                    <td className="num">{formatLatency(r.metrics.p99, r.timeoutSeconds)}</td>
                    <td className="num">{r.statuses['5xx']}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="panel" aria-labelledby="edge-statuses-title">
          <div className="panel-head">
            <h2 id="edge-statuses-title">By status</h2>
          </div>
          <StatusBreakdownTable statuses={data.statuses} />
        </section>
      </div>
      <section className="panel" aria-labelledby="edge-time-title" data-testid="charts-section">
        <div className="panel-head">
          <h2 id="edge-time-title">Over time</h2>
        </div>
        <GoldenChartsOf data={data.series} />
      </section>
    </>
  );
}
