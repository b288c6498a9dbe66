'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { DEFAULT_HEALTH_THRESHOLDS } from '@trellis/contracts';
import { createContext, useState, type ReactNode } from 'react';

/** How often the collector scrapes, which is how often there can be anything new to show. */
export const ScrapeIntervalContext = createContext(5);

export interface HealthThresholds {
  warning: number;
  failing: number;
}

/** The success-rate thresholds this dashboard colours by (configurable per deployment). */
export const HealthThresholdsContext = createContext<HealthThresholds>(DEFAULT_HEALTH_THRESHOLDS);

export function DashboardProviders({
  scrapeIntervalSeconds,
  healthThresholds,
  children,
}: {
  scrapeIntervalSeconds: number;
  healthThresholds: HealthThresholds;
  children: ReactNode;
}) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            retry: 1,
            refetchOnWindowFocus: true,
            // A hidden tab polls nothing; it catches up on focus.
            refetchIntervalInBackground: false,
            staleTime: 1_000,
          },
        },
      }),
  );
  return (
    <ScrapeIntervalContext value={scrapeIntervalSeconds}>
      <HealthThresholdsContext value={healthThresholds}>
        <QueryClientProvider client={client}>{children}</QueryClientProvider>
      </HealthThresholdsContext>
    </ScrapeIntervalContext>
  );
}
