import type { Metadata } from 'next';
import { Section } from '@/components/common/section';
import { PoliciesTable } from '@/components/policy/policies-table';
import { loadView } from '@/server/collector-api';
import { requireSession } from '@/server/session';

export const metadata: Metadata = { title: 'Policies' };

async function Policies() {
  const { token } = await requireSession();
  const policies = await loadView(token, 'policies', {});
  return <PoliciesTable initial={policies.ok ? policies.data : undefined} />;
}

export default function PoliciesPage() {
  return (
    <>
      <div className="page-head">
        <h1>Policies</h1>
        <p className="muted">
          Retry and timeout policy per destination service, with its last change.
        </p>
      </div>
      <Section title="All policies" testId="policies-section">
        <Policies />
      </Section>
    </>
  );
}
