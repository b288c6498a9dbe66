'use client';

import { usePathname } from 'next/navigation';
import { ViewLink } from './view-link';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/topology', label: 'Topology' },
  { href: '/policies', label: 'Policies' },
  { href: '/data-plane', label: 'Data plane' },
] as const;

function isActive(pathname: string, href: string): boolean {
  if (href === '/') return pathname === '/' || pathname.startsWith('/services');
  return pathname.startsWith(href);
}

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="nav-links">
      {LINKS.map(({ href, label }) => (
        <ViewLink
          key={href}
          href={href}
          className={isActive(pathname, href) ? 'nav-link active' : 'nav-link'}
          aria-current={isActive(pathname, href) ? 'page' : undefined}
        >
          {label}
        </ViewLink>
      ))}
    </nav>
  );
}
