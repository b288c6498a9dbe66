import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { ServicesTable } from '@/components/overview/services-table';
import { fetchServices } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { parseWindow, type SearchParams } from '@/time-window';

export const metadata: Metadata = { title: 'Overview' };

async function ServicesSection({ window }: { window: ReturnType<typeof parseWindow> }) {
  const session = await requireSession();
  const services = await fetchServices(session.token, window);
  return <ServicesTable initial={services.ok ? services.data : undefined} />;
}

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const window = parseWindow(await searchParams);
  return (
    <>
      <div className="page-head">
        <h1>Services</h1>
        <p className="muted">Golden metrics of every service in the mesh over the last {window}.</p>
      </div>
      <Section title="All services" testId="services-section" skeletonRows={8}>
        <ServicesSection window={window} />
      </Section>
    </>
  );
}
