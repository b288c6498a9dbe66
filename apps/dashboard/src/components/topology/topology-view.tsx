'use client';

import type { Topology } from '@trellis/contracts';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useLiveView } from '../../live/use-live-view';
import { useViewState } from '../../live/use-view-state';
import { DataSpanNote } from '../common/data-span-note';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { TopologyGraph } from './topology-graph';
import { TopologyLegend } from './topology-legend';

export function TopologyView({ initial }: { initial: Topology | undefined }) {
  const router = useRouter();
  const { query } = useViewState();
  const { data, error } = useLiveView('topology', {}, initial);
  const [hideIdle, setHideIdle] = useState(false);
  const [showLatency, setShowLatency] = useState(false);
  const [search, setSearch] = useState('');
  const services = useMemo(() => (data?.nodes ?? []).map((n) => n.service).sort(), [data]);
  const focus = services.includes(search.trim()) ? search.trim() : null;

  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={10} />;

  const open = (service: string) => router.push(`/services/${encodeURIComponent(service)}${query}`);

  return (
    <>
      <div className="table-toolbar">
        <input
          type="search"
          list="topology-services"
          placeholder="Find a service"
          aria-label="Find a service"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && focus) open(focus);
          }}
          data-testid="topology-search"
        />
        <datalist id="topology-services">
          {services.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={hideIdle}
            onChange={(event) => setHideIdle(event.target.checked)}
          />
          Hide idle services
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showLatency}
            onChange={(event) => setShowLatency(event.target.checked)}
          />
          Show p99 latency
        </label>
        <span className="muted">
          {data.nodes.length} services · {data.edges.length} edges
          <DataSpanNote window={data.window} />
        </span>
        {focus && (
          <button type="button" className="button" onClick={() => open(focus)}>
            Open {focus}
          </button>
        )}
      </div>
      <TopologyGraph
        topology={data}
        hideIdle={hideIdle}
        showLatency={showLatency}
        focus={focus}
        onOpen={open}
      />
      <TopologyLegend />
    </>
  );
}
