'use client';

import type { ProxyList } from '@trellis/contracts';
import { LocalTime } from '../common/local-time';
import { useLiveView } from '../../live/use-live-view';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { ViewLink } from '../shell/view-link';

/** Each proxy: alive or stale, when it was last scraped, and which policy versions it runs. */
export function ProxiesTable({ initial }: { initial: ProxyList | undefined }) {
  const { data, error, dataUpdatedAt } = useLiveView('proxies', {}, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={5} />;
  const proxies = [...data.proxies].sort(
    (a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId),
  );
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="proxies-table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Instance</th>
            <th scope="col">State</th>
            <th scope="col">Inbound</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Last scrape</th>
            <th scope="col">Config (policy versions)</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {proxies.map((p) => {
            const applied = Object.entries(p.applied);
            const rejected = applied.filter(([, a]) => a.rejectedVersion !== undefined);
            return (
              <tr
                key={p.instanceId}
                data-instance={p.instanceId}
                className={`health-row ${p.status === 'live' ? 'healthy' : 'failing'}`}
              >
                <th scope="row">
                  <ViewLink href={`/services/${encodeURIComponent(p.service)}`}>
                    {p.service}
                  </ViewLink>
                </th>
                <td>
                  <code>
                    <bdi>{p.instanceId}</bdi>
                  </code>
                </td>
                <td>
                  <span className={`health-badge ${p.status === 'live' ? 'healthy' : 'failing'}`}>
                    <span
                      className={`status-dot ${p.status === 'live' ? 'healthy' : 'failing'}`}
                      aria-hidden
                    />
                    {p.status === 'live' ? 'Live' : 'Stale'}
                  </span>
                </td>
                <td>
                  <code>{p.inboundAddress}</code>
                </td>
                <td>
                  <LocalTime at={p.lastHeartbeatAt} format="ago" now={dataUpdatedAt} />
                </td>
                <td title={p.lastScrape?.error ?? undefined}>
                  {p.lastScrape ? (
                    <LocalTime at={p.lastScrape.at} format="ago" now={dataUpdatedAt} />
                  ) : (
                    'never'
                  )}
                  {p.lastScrape?.error && <span className="sr failing"> · failed</span>}
                </td>
                <td>
                  {applied.length === 0 ? (
                    <span className="muted">no destinations yet</span>
                  ) : (
                    applied.map(([service, a]) => `${service} v${a.policyVersion}`).join(', ')
                  )}
                  {rejected.length > 0 && (
                    <span
                      className="sr failing"
                      title={rejected.map(([, a]) => a.error).join('\n')}
                    >
                      {' '}
                      · rejected {rejected.map(([s, a]) => `${s} v${a.rejectedVersion}`).join(', ')}
                    </span>
                  )}
                </td>
                <td className="muted">{p.proxyVersion}</td>
              </tr>
            );
          })}
          {proxies.length === 0 && (
            <tr>
              <td colSpan={8} className="empty">
                No proxy has registered with this collector yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
