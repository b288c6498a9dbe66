import Link from 'next/link';

/** An address naming something (a page, a service, a route, a policy) that does not exist. */
export function PageNotFound({ what }: { what: string }) {
  return (
    <div className="section-error" role="alert" data-testid="page-not-found">
      <h1>{what} not found</h1>
      <p>
        Nothing is known at this address: it may be mistyped, or name something that has had no
        traffic yet. <Link href="/">Back to the services</Link>
      </p>
    </div>
  );
}
