import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Trellis',
  description: 'Service mesh topology, golden metrics and policy',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="shell-header">
          <a className="brand" href="/">
            Trellis
          </a>
        </header>
        <main className="shell-main">{children}</main>
      </body>
    </html>
  );
}
