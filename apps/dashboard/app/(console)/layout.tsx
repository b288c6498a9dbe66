import type { ReactNode } from 'react';
import { Suspense } from 'react';
import { AppHeader } from '@/components/shell/app-header';
import { DashboardProviders } from '@/live/dashboard-providers';
import { fetchHealth } from '@/server/collector-api';
import { requireSession } from '@/server/session';

const FALLBACK_SCRAPE_INTERVAL_SECONDS = 5;

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  const health = await fetchHealth();
  return (
    <DashboardProviders
      scrapeIntervalSeconds={
        health.ok ? health.data.scrapeIntervalSeconds : FALLBACK_SCRAPE_INTERVAL_SECONDS
      }
    >
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Suspense>
        <AppHeader session={session} />
      </Suspense>
      <main id="main" className="shell-main">
        {children}
      </main>
    </DashboardProviders>
  );
}
