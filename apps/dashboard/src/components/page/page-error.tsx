'use client';

import Link from 'next/link';

/**
 * What an operator sees when a page fails to render: which page, what went wrong (a server
 * failure shows only its digest, which the dashboard's log holds in full) and a retry that
 * fetches the page's data again.
 */
export function PageError({
  what,
  error,
  retry,
}: {
  what: string;
  error: Error & { digest?: string };
  retry: () => void;
}) {
  return (
    <div className="section-error" role="alert" data-testid="page-error">
      <h1>{what} could not be shown</h1>
      <p>{error.digest === undefined ? error.message : `Server error ${error.digest}.`}</p>
      <p>
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>{' '}
        <Link href="/">Back to the services</Link>
      </p>
    </div>
  );
}
