'use client';

import { useQuery } from '@tanstack/react-query';
import { viewPath, type ViewData, type ViewName, type ViewParams, type ViewQuery } from '../views';
import { fetchView } from './fetch-view';
import { useViewState } from './use-view-state';

/**
 * A view of the view table kept live: starts from what the server rendered, refetches every
 * refresh interval while the tab is visible, and keeps the last data when a refetch fails.
 * Metrics views get the page's time (window or fixed range) added to `query`.
 */
export function useLiveView<N extends ViewName>(
  name: N,
  params: ViewParams<N>,
  initialData: ViewData<N> | undefined,
  { query = {}, live = true }: { query?: ViewQuery; live?: boolean } = {},
) {
  const { intervalMs, time } = useViewState();
  const path = viewPath(name, params, { ...time, ...query });
  return useQuery<ViewData<N>>({
    queryKey: ['view', path],
    queryFn: ({ signal }) => fetchView<ViewData<N>>(path, signal),
    initialData,
    initialDataUpdatedAt: initialData === undefined ? undefined : Date.now(),
    refetchInterval: live ? intervalMs : false,
    placeholderData: (previous) => previous,
  });
}
