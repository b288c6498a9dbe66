import type { Metadata } from 'next';
import { GoldenCharts } from '@/components/charts/golden-charts';
import { Suspense } from 'react';
import { Section } from '@/components/common/section';
import { SectionErrorBoundary } from '@/components/common/section-error-boundary';
import { Skeleton } from '@/components/common/skeleton';
import { RoutesTable } from '@/components/service/routes-table';
import { ServiceSummaryView } from '@/components/service/service-summary';
import { ViewLink } from '@/components/shell/view-link';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { pageTime, type PageTime, type SearchParams } from '@/time-window';

type Props = { params: Promise<{ service: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).service) };
}

async function Summary({ service, time }: { service: string; time: PageTime }) {
  const { token } = await requireSession();
  const detail = await loadView(token, 'service', { service }, time.query);
  return <ServiceSummaryView service={service} initial={detail.ok ? detail.data : undefined} />;
}

async function Routes({ service, time }: { service: string; time: PageTime }) {
  const { token } = await requireSession();
  const routes = await loadView(token, 'routes', { service }, time.query);
  return <RoutesTable service={service} initial={routes.ok ? routes.data : undefined} />;
}

async function Charts({ service, time }: { service: string; time: PageTime }) {
  const { token } = await requireSession();
  const series = await loadView(token, 'series', {}, { ...time.query, service });
  return (
    <GoldenCharts service={service} route={null} initial={series.ok ? series.data : undefined} />
  );
}

export default async function ServicePage({ params, searchParams }: Props) {
  const service = decodeURIComponent((await params).service);
  const time = pageTime(await searchParams);
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <ViewLink href="/">Services</ViewLink> / <span>{service}</span>
      </nav>
      <div className="page-head">
        <h1 data-testid="service-title">{service}</h1>
        <ViewLink href={`/policies/${encodeURIComponent(service)}`}>Policy history →</ViewLink>
      </div>
      <SectionErrorBoundary>
        <Suspense fallback={<Skeleton rows={3} height={48} />}>
          <Summary service={service} time={time} />
        </Suspense>
      </SectionErrorBoundary>
      <Section
        title="Routes"
        description="Effective: what callers saw after retries. Actual: every attempt sent upstream."
        testId="routes-section"
      >
        <Routes service={service} time={time} />
      </Section>
      <Section
        title="Over time"
        description="Dashed lines mark policy changes."
        testId="charts-section"
        skeletonRows={6}
      >
        <Charts service={service} time={time} />
      </Section>
    </>
  );
}
