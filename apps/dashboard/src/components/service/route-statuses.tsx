'use client';

import type { RouteList } from '@trellis/contracts';
import { useLiveView } from '../../live/use-live-view';
import { Skeleton } from '../common/skeleton';
import { StatusBreakdownTable } from '../common/status-breakdown';
import { ViewErrorNotice } from '../common/view-error';

/** The responses callers of one route got, by status. */
export function RouteStatuses({
  service,
  route,
  initial,
}: {
  service: string;
  route: string;
  initial: RouteList | undefined;
}) {
  const { data, error } = useLiveView('routes', { service }, initial);
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={4} />;
  const statuses = data.routes.find((r) => r.route === route)?.statuses;
  if (!statuses) return <p className="muted">No requests to {route} in this window.</p>;
  return <StatusBreakdownTable statuses={statuses} />;
}
