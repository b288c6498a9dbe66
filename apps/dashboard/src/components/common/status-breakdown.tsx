import type { StatusBreakdown } from '@trellis/contracts';
import { formatCount, formatPercent } from '../../format/metric-format';

const CLASSES = ['2xx', '3xx', '4xx', '5xx', '1xx'] as const;

const PROXY_ERROR_WORDS: Record<string, string> = {
  'no-endpoints': 'no endpoints (503)',
  'connect-failed': 'connect failed (502)',
  'request-timeout': 'timed out (504)',
};

/**
 * The responses callers got, by status class, with the share of each, and which of them the
 * proxy answered itself (by its error code).
 */
export function StatusBreakdownTable({
  statuses,
  testId = 'status-breakdown',
}: {
  statuses: StatusBreakdown;
  testId?: string;
}) {
  const total = CLASSES.reduce((sum, name) => sum + statuses[name], 0);
  const proxyErrors = Object.entries(statuses.proxyErrors).filter(([, count]) => count > 0);
  if (total === 0) return <p className="muted">No responses in this window.</p>;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Responses
            </th>
            <th scope="col" className="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {CLASSES.filter((name) => name !== '1xx' || statuses[name] > 0).map((name) => (
            <tr key={name} data-status={name}>
              <th scope="row">{name}</th>
              <td className="num">{formatCount(statuses[name])}</td>
              <td className="num">{formatPercent(statuses[name] / total, 1)}</td>
            </tr>
          ))}
          {proxyErrors.map(([code, count]) => (
            <tr key={code} data-proxy-error={code}>
              <th scope="row" className="muted">
                of which the proxy answered: {PROXY_ERROR_WORDS[code] ?? code}
              </th>
              <td className="num">{formatCount(count)}</td>
              <td className="num">{formatPercent(count / total, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
