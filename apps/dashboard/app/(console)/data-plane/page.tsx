import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { ProxiesTable } from '@/components/data-plane/proxies-table';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';

export const metadata: Metadata = { title: 'Data plane' };

async function Proxies() {
  const { token } = await requireSession();
  const proxies = await loadView(token, 'proxies', {});
  return <ProxiesTable initial={proxies.ok ? proxies.data : undefined} />;
}

export default function DataPlanePage() {
  return (
    <>
      <div className="page-head">
        <h1>Data plane</h1>
        <p className="muted">Every registered proxy, its health and the config it runs.</p>
      </div>
      <Section title="Proxies" testId="proxies-section">
        <Proxies />
      </Section>
    </>
  );
}
