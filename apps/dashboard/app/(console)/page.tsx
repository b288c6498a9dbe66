import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { ServicesTable } from '@/components/overview/services-table';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { pageTime, type PageTime, type SearchParams } from '@/time-window';

export const metadata: Metadata = { title: 'Overview' };

async function ServicesSection({ time }: { time: PageTime }) {
  const session = await requireSession();
  const services = await loadView(session.token, 'services', {}, time.query);
  return <ServicesTable initial={services.ok ? services.data : undefined} />;
}

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const time = pageTime(await searchParams);
  return (
    <>
      <div className="page-head">
        <h1>Services</h1>
        <p className="muted">Golden metrics of every service in the mesh {time.label}.</p>
      </div>
      <Section title="All services" testId="services-section" skeletonRows={8}>
        <ServicesSection time={time} />
      </Section>
    </>
  );
}
