import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Trellis', template: '%s · Trellis' },
  description: 'Service mesh topology, golden metrics and policy',
};

/**
 * Every page renders per request: Next.js puts the request's CSP nonce (see proxy.ts) on its
 * scripts only while rendering, so a page prerendered at build time would carry none.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
