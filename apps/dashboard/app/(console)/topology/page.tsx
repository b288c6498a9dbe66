import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { TopologyView } from '@/components/topology/topology-view';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { pageTime, type PageTime, type SearchParams } from '@/time-window';

export const metadata: Metadata = { title: 'Topology' };

async function TopologySection({ time }: { time: PageTime }) {
  const session = await requireSession();
  const topology = await loadView(session.token, 'topology', {}, time.query);
  return <TopologyView initial={topology.ok ? topology.data : undefined} />;
}

export default async function TopologyPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const time = pageTime(await searchParams);
  return (
    <>
      <div className="page-head">
        <h1>Topology</h1>
        <p className="muted">What calls what {time.label}, coloured by success rate.</p>
      </div>
      <Section title="Service graph" testId="topology-section" skeletonRows={12} className="fill">
        <TopologySection time={time} />
      </Section>
    </>
  );
}
