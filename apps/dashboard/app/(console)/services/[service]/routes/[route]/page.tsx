import type { Metadata } from 'next';
import { GoldenCharts } from '@/components/charts/golden-charts';
import { LatencyHistogram } from '@/components/charts/latency-histogram';
import { Section } from '@/components/common/section';
import { ViewErrorNotice } from '@/components/common/view-error';
import { PolicyEditor } from '@/components/policy/policy-editor';
import { RoutePolicySummary } from '@/components/policy/route-policy-summary';
import { ViewLink } from '@/components/shell/view-link';
import { fetchHistogram, fetchPolicy, fetchSeries } from '@/server/collector-api';
import { canEdit, requireSession } from '@/server/session';
import { parseWindow, type SearchParams, type TimeWindow } from '@/time-window';

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
  window: TimeWindow;
}

async function Charts({ service, route, window }: RouteProps) {
  const { token } = await requireSession();
  const series = await fetchSeries(token, service, route, window);
  return (
    <GoldenCharts service={service} route={route} initial={series.ok ? series.data : undefined} />
  );
}

async function Histogram({ service, route, window }: RouteProps) {
  const { token } = await requireSession();
  const histogram = await fetchHistogram(token, service, route, window);
  return (
    <LatencyHistogram
      service={service}
      route={route}
      initial={histogram.ok ? histogram.data : undefined}
    />
  );
}

async function Policy({ service, route }: Omit<RouteProps, 'window'>) {
  const session = await requireSession();
  const detail = await fetchPolicy(session.token, service);
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
  const window = parseWindow(await searchParams);
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
        <Charts service={service} route={route} window={window} />
      </Section>
      <div className="grid-2">
        <Section title="Latency histogram" testId="histogram-section">
          <Histogram service={service} route={route} window={window} />
        </Section>
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
