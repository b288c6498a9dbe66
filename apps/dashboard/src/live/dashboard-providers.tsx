'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useState, type ReactNode } from 'react';

/** How often the collector scrapes, which is how often there can be anything new to show. */
export const ScrapeIntervalContext = createContext(5);

export function DashboardProviders({
  scrapeIntervalSeconds,
  children,
}: {
  scrapeIntervalSeconds: number;
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
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </ScrapeIntervalContext>
  );
}
