import { DEFAULT_ROUTE, type Policy } from '@trellis/contracts';

/** The policy of one route, read-only: what a viewer sees instead of the editor. */
export function RoutePolicySummary({ policy, route }: { policy: Policy; route: string }) {
  const entry = policy.routes.find((r) => r.name === route);
  const timeout =
    route === DEFAULT_ROUTE
      ? policy.defaultTimeoutMs
      : (entry?.timeoutMs ?? policy.defaultTimeoutMs);
  const retry = entry?.retry;
  const budget = policy.retryBudget;
  return (
    <dl className="policy-summary" data-testid="policy-summary">
      <dt>Version</dt>
      <dd>{policy.version}</dd>
      {entry && (
        <>
          <dt>Match</dt>
          <dd>
            <code>
              {entry.match.method ?? 'any'} {entry.match.path}
            </code>
          </dd>
        </>
      )}
      <dt>Timeout</dt>
      <dd>{timeout} ms</dd>
      <dt>Retries</dt>
      <dd>
        {retry
          ? `up to ${retry.maxRetries} on ${retry.on.join(', ')}${retry.perTryTimeoutMs ? `, ${retry.perTryTimeoutMs} ms per try` : ''}, backoff ${retry.backoff.baseMs}–${retry.backoff.maxMs} ms`
          : 'none'}
      </dd>
      <dt>Retry budget</dt>
      <dd>
        {budget.ratio * 100}% of requests + {budget.minRetriesPerSecond}/s over {budget.ttlSeconds}s
      </dd>
    </dl>
  );
}
