'use client';

import { useSyncExternalStore } from 'react';
import { formatAgo, formatDateTime, formatTime } from '../../format/metric-format';

const subscribeToNothing = () => () => {};

/**
 * False while the server renders and the browser hydrates, true from the first render after.
 * Text that depends on the browser's clock or time zone waits for it, so server and browser
 * render the same markup (a mismatch is React error #418).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}

const FORMATS = {
  time: (iso: string) => formatTime(iso),
  'date-time': (iso: string) => formatDateTime(iso),
  ago: (iso: string, now: number) => formatAgo(iso, now),
} as const;

/** A moment in the browser's time zone (or how long ago it was), as a `<time>` element. */
export function LocalTime({
  at,
  format,
  now = Date.now(),
}: {
  at: string | number;
  format: keyof typeof FORMATS;
  now?: number;
}) {
  const hydrated = useHydrated();
  const iso = new Date(at).toISOString();
  return <time dateTime={iso}>{hydrated ? FORMATS[format](iso, now) : ''}</time>;
}
