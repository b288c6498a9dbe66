'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ViewError } from '../../live/fetch-view';
import { useViewState } from '../../live/use-view-state';

interface Freshness {
  stale: boolean;
  lastUpdate: number;
}

/**
 * Live, paused, or stale: when the collector cannot be reached every view keeps its last data
 * and this says since when it has not changed.
 */
export function StaleIndicator() {
  const client = useQueryClient();
  const { intervalMs } = useViewState();
  const [freshness, setFreshness] = useState<Freshness>({ stale: false, lastUpdate: 0 });
  useEffect(() => {
    const cache = client.getQueryCache();
    const update = () => {
      const queries = cache.getAll();
      const failing = queries.filter(
        (q) => q.state.error instanceof ViewError && q.state.error.unreachable,
      );
      const lastUpdate = Math.max(0, ...queries.map((q) => q.state.dataUpdatedAt));
      setFreshness((previous) =>
        previous.stale === failing.length > 0 && previous.lastUpdate === lastUpdate
          ? previous
          : { stale: failing.length > 0, lastUpdate },
      );
    };
    update();
    return cache.subscribe(update);
  }, [client]);

  if (freshness.stale) {
    const since = freshness.lastUpdate
      ? new Date(freshness.lastUpdate).toLocaleTimeString('en-GB')
      : 'page load';
    const why = `The collector cannot be reached: every view keeps the data it last had, from ${since}.`;
    // Short on screen so the header keeps one line; the reason is in the tooltip and for readers.
    return (
      <p
        className="freshness stale"
        role="status"
        data-testid="freshness"
        data-state="stale"
        title={why}
      >
        <span className="status-dot warn" aria-hidden />
        Stale since {since}
        <span className="visually-hidden"> · {why}</span>
      </p>
    );
  }
  return (
    <p className="freshness" role="status" data-testid="freshness" data-state="live">
      <span className={`status-dot ${intervalMs === false ? 'idle' : 'ok pulse'}`} aria-hidden />
      {intervalMs === false ? 'Paused' : 'Live'}
    </p>
  );
}
