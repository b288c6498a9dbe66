'use client';

import type { PolicyList } from '@trellis/contracts';
import { LocalTime } from '../common/local-time';
import { useLiveView } from '../../live/use-live-view';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { ViewLink } from '../shell/view-link';

export function PoliciesTable({ initial }: { initial: PolicyList | undefined }) {
  const { data, error } = useLiveView('policies', {}, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={5} />;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="policies-table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col" className="num">
              Routes
            </th>
            <th scope="col" className="num">
              Default timeout
            </th>
            <th scope="col">Last change</th>
            <th scope="col">By</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {data.policies.map(({ policy, lastChange }) => (
            <tr key={policy.service} data-service={policy.service}>
              <th scope="row">
                <ViewLink href={`/policies/${encodeURIComponent(policy.service)}`}>
                  {policy.service}
                </ViewLink>
              </th>
              <td className="num">v{policy.version}</td>
              <td className="num">{policy.routes.length}</td>
              <td className="num">{policy.defaultTimeoutMs} ms</td>
              <td>
                <LocalTime at={lastChange.at} format="date-time" />
              </td>
              <td>
                <bdi>{lastChange.author}</bdi>
              </td>
              <td className="reason-cell">
                <bdi>{lastChange.reason}</bdi>
              </td>
            </tr>
          ))}
          {data.policies.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                No policies yet: every service runs the defaults.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
