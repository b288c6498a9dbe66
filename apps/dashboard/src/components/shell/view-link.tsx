'use client';

import Link from 'next/link';
import type { ComponentProps } from 'react';
import { useViewState } from '../../live/use-view-state';

/** A link that keeps the current window and refresh, so drilling down keeps the context. */
export function ViewLink({ href, ...rest }: ComponentProps<typeof Link> & { href: string }) {
  const { query } = useViewState();
  return <Link href={`${href}${query}`} {...rest} />;
}
