'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useTransition } from 'react';

/**
 * Changes query parameters of the current URL in place (no new history entry); null removes
 * one, as does a value equal to its default.
 */
export function useReplaceParams(defaults: Readonly<Record<string, string>> = {}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const replace = useCallback(
    (changes: Readonly<Record<string, string | null>>) => {
      const next = new URLSearchParams(params);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === defaults[name]) next.delete(name);
        else next.set(name, value);
      }
      const query = next.toString();
      startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname));
    },
    [router, pathname, params, defaults],
  );
  return { replace, pending };
}
