'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchView } from './fetch-view';
import { useViewState } from './use-view-state';

/**
 * A view kept live: starts from what the server rendered, refetches every refresh interval
 * while the tab is visible, and keeps the last data when a refetch fails.
 */
export function useLiveView<T>(path: string, initialData: T | undefined, { live = true } = {}) {
  const { intervalMs } = useViewState();
  return useQuery({
    queryKey: ['view', path],
    queryFn: ({ signal }) => fetchView<T>(path, signal),
    initialData,
    initialDataUpdatedAt: initialData === undefined ? undefined : Date.now(),
    refetchInterval: live ? intervalMs : false,
    placeholderData: (previous) => previous,
  });
}
