import { fetchHealth } from '@/collector-client';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const health = await fetchHealth();
  return (
    <section className="panel" aria-labelledby="collector-status">
      <h1 id="collector-status" style={{ fontSize: 16, margin: '0 0 8px' }}>
        Control plane
      </h1>
      {health.ok ? (
        <p data-testid="collector-status">
          <span className="status-dot ok" aria-hidden />
          Collector connected{' '}
          <span className="muted">
            · {health.data.database} · scrape every {health.data.scrapeIntervalSeconds}s
          </span>
        </p>
      ) : (
        <p data-testid="collector-status">
          <span className="status-dot fail" aria-hidden />
          Collector unreachable <span className="muted">· {health.reason}</span>
        </p>
      )}
    </section>
  );
}
