import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { RevisionHistory } from '@/components/policy/revision-history';
import { ViewLink } from '@/components/shell/view-link';
import { loadView } from '@/server/collector-api';
import { canEdit, requireSession } from '@/server/session';

type Props = { params: Promise<{ service: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Policy of ${decodeURIComponent((await params).service)}` };
}

async function History({ service }: { service: string }) {
  const session = await requireSession();
  const revisions = await loadView(session.token, 'revisions', { service });
  return (
    <RevisionHistory
      service={service}
      initial={revisions.ok ? revisions.data : undefined}
      canEdit={canEdit(session)}
    />
  );
}

export default async function PolicyHistoryPage({ params }: Props) {
  const service = decodeURIComponent((await params).service);
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <ViewLink href="/policies">Policies</ViewLink> / <span>{service}</span>
      </nav>
      <div className="page-head">
        <h1>{service}</h1>
        <ViewLink href={`/services/${encodeURIComponent(service)}`}>Service metrics →</ViewLink>
      </div>
      <Section
        title="History"
        description="Every accepted change is a version; a rollback is a new version equal to an old one."
        testId="history-section"
      >
        <History service={service} />
      </Section>
    </>
  );
}
