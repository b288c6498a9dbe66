import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { TopologyView } from '@/components/topology/topology-view';
import { fetchTopology } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { parseWindow, type SearchParams, type TimeWindow } from '@/time-window';

export const metadata: Metadata = { title: 'Topology' };

async function TopologySection({ window }: { window: TimeWindow }) {
  const session = await requireSession();
  const topology = await fetchTopology(session.token, window);
  return <TopologyView initial={topology.ok ? topology.data : undefined} />;
}

export default async function TopologyPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const window = parseWindow(await searchParams);
  return (
    <>
      <div className="page-head">
        <h1>Topology</h1>
        <p className="muted">What calls what over the last {window}, coloured by success rate.</p>
      </div>
      <Section title="Service graph" testId="topology-section" skeletonRows={12} className="fill">
        <TopologySection window={window} />
      </Section>
    </>
  );
}
