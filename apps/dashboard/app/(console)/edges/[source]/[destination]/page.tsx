import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SectionErrorBoundary } from '@/components/common/section-error-boundary';
import { Skeleton } from '@/components/common/skeleton';
import { EdgeDetailView } from '@/components/edge/edge-detail';
import { ViewLink } from '@/components/shell/view-link';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';
import { pageTime, type PageTime, type SearchParams } from '@/time-window';

type Props = {
  params: Promise<{ source: string; destination: string }>;
  searchParams: Promise<SearchParams>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { source, destination } = await params;
  return { title: `${decodeURIComponent(source)} → ${decodeURIComponent(destination)}` };
}

async function Detail({
  source,
  destination,
  time,
}: {
  source: string;
  destination: string;
  time: PageTime;
}) {
  const { token } = await requireSession();
  const detail = await loadView(token, 'edge', { source, destination }, time.query);
  return (
    <EdgeDetailView
      source={source}
      destination={destination}
      initial={detail.ok ? detail.data : undefined}
    />
  );
}

/** Edge drill-down: what one service's calls to another did, by route, status and time. */
export default async function EdgePage({ params, searchParams }: Props) {
  const raw = await params;
  const source = decodeURIComponent(raw.source);
  const destination = decodeURIComponent(raw.destination);
  const time = pageTime(await searchParams);
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <ViewLink href="/topology">Topology</ViewLink> /{' '}
        <ViewLink href={`/services/${encodeURIComponent(source)}`}>{source}</ViewLink> →{' '}
        <ViewLink href={`/services/${encodeURIComponent(destination)}`}>{destination}</ViewLink>
      </nav>
      <div className="page-head">
        <h1 data-testid="edge-title">
          {source} <span className="muted">→</span> {destination}
        </h1>
        <p className="muted">
          Every call from {source} to {destination} {time.label}.
        </p>
      </div>
      <SectionErrorBoundary>
        <Suspense fallback={<Skeleton rows={8} height={48} />}>
          <Detail source={source} destination={destination} time={time} />
        </Suspense>
      </SectionErrorBoundary>
    </>
  );
}
