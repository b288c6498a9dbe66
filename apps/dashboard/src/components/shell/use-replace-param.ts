'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useTransition } from 'react';

/** Changes one query parameter of the current URL in place (no new history entry). */
export function useReplaceParam(name: string, defaultValue: string) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const replace = useCallback(
    (value: string) => {
      const next = new URLSearchParams(params);
      if (value === defaultValue) next.delete(name);
      else next.set(name, value);
      const query = next.toString();
      startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname));
    },
    [router, pathname, params, name, defaultValue],
  );
  return { replace, pending };
}
