import type { Metadata } from 'next';
import { GoldenCharts } from '@/components/charts/golden-charts';
import { LatencyHistogram } from '@/components/charts/latency-histogram';
import { Section } from '@/components/common/section';
import { ViewErrorNotice } from '@/components/common/view-error';
import { PolicyEditor } from '@/components/policy/policy-editor';
import { RoutePolicySummary } from '@/components/policy/route-policy-summary';
import { RouteStatuses } from '@/components/service/route-statuses';
import { ViewLink } from '@/components/shell/view-link';
import { loadView } from '@/server/collector-api';
import { canEdit, requireSession } from '@/server/session';
import { pageTime, type PageTime, type SearchParams } from '@/time-window';

type Props = {
  params: Promise<{ service: string; route: string }>;
  searchParams: Promise<SearchParams>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { service, route } = await params;
  return { title: `${decodeURIComponent(route)} · ${decodeURIComponent(service)}` };
}

interface RouteProps {
  service: string;
  route: string;
  time: PageTime;
}

async function Charts({ service, route, time }: RouteProps) {
  const { token } = await requireSession();
  const series = await loadView(token, 'series', {}, { ...time.query, service, route });
  return (
    <GoldenCharts service={service} route={route} initial={series.ok ? series.data : undefined} />
  );
}

async function Histogram({ service, route, time }: RouteProps) {
  const { token } = await requireSession();
  const histogram = await loadView(token, 'histogram', { service, route }, time.query);
  return (
    <LatencyHistogram
      service={service}
      route={route}
      initial={histogram.ok ? histogram.data : undefined}
    />
  );
}

async function Statuses({ service, route, time }: RouteProps) {
  const { token } = await requireSession();
  const routes = await loadView(token, 'routes', { service }, time.query);
  return (
    <RouteStatuses service={service} route={route} initial={routes.ok ? routes.data : undefined} />
  );
}

async function Policy({ service, route }: Omit<RouteProps, 'time'>) {
  const session = await requireSession();
  const detail = await loadView(session.token, 'policy', { service });
  if (!detail.ok) return <ViewErrorNotice message={detail.message} />;
  if (!canEdit(session)) {
    return (
      <>
        <RoutePolicySummary policy={detail.data.policy} route={route} />
        <p className="muted">Only operators can change policies.</p>
      </>
    );
  }
  return <PolicyEditor service={service} route={route} initial={detail.data} />;
}

export default async function RoutePage({ params, searchParams }: Props) {
  const raw = await params;
  const service = decodeURIComponent(raw.service);
  const route = decodeURIComponent(raw.route);
  const time = pageTime(await searchParams);
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <ViewLink href="/">Services</ViewLink> /{' '}
        <ViewLink href={`/services/${encodeURIComponent(service)}`}>{service}</ViewLink> /{' '}
        <span>{route}</span>
      </nav>
      <div className="page-head">
        <h1 data-testid="route-title">
          {service} <span className="muted">·</span> {route}
        </h1>
      </div>
      <Section
        title="Over time"
        description="Dashed lines mark policy changes."
        testId="charts-section"
      >
        <Charts service={service} route={route} time={time} />
      </Section>
      <div className="grid-2">
        <Section title="Latency histogram" testId="histogram-section">
          <Histogram service={service} route={route} time={time} />
        </Section>
        <Section title="Responses by status" testId="statuses-section">
          <Statuses service={service} route={route} time={time} />
        </Section>
      </div>
      <div className="grid-2">
        <Section
          title="Policy"
          description="Timeout and retries for this route; the retry budget covers the whole service."
          testId="policy-section"
        >
          <Policy service={service} route={route} />
        </Section>
      </div>
    </>
  );
}
