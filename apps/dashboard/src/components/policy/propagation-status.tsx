'use client';

import type { PolicyView } from '@trellis/contracts';

/** How far the latest version has reached the proxies, e.g. "Applied by 6/6 proxies". */
export function PropagationStatus({ detail }: { detail: PolicyView }) {
  const { applied, total } = detail.propagation;
  const rejected = detail.propagation.rejected.length;
  const complete = total > 0 && applied === total;
  return (
    <p
      className={`notice ${rejected > 0 ? 'warn' : complete ? 'ok' : ''}`}
      role="status"
      data-testid="propagation"
    >
      <span
        className={`status-dot ${rejected > 0 ? 'failing' : complete ? 'healthy' : 'warning'}`}
        aria-hidden
      />
      Version {detail.policy.version}: applied by {applied}/{total}{' '}
      {total === 1 ? 'proxy' : 'proxies'}
      {rejected > 0 && <>, rejected by {rejected}</>}
      {total === 0 && <span className="muted"> (no proxy sends to this service yet)</span>}
    </p>
  );
}
