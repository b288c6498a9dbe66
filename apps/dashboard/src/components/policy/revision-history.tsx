'use client';

import type { PolicyDiff, PolicyRevisionList } from '@trellis/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, useTransition } from 'react';
import { rollbackPolicyAction } from '../../actions/policy-actions';
import { fetchView } from '../../live/fetch-view';
import { useLiveView } from '../../live/use-live-view';
import { viewPath } from '../../views';
import { LocalTime } from '../common/local-time';
import { Skeleton } from '../common/skeleton';
import { ViewErrorNotice } from '../common/view-error';
import { DiffList } from './diff-list';

function RevisionDiff({ service, from, to }: { service: string; from: number; to: number }) {
  const { data, error } = useQuery({
    queryKey: ['diff', service, from, to],
    queryFn: ({ signal }) =>
      fetchView<PolicyDiff>(viewPath('revisionDiff', { service }, { from, to }), signal),
  });
  if (error) return <ViewErrorNotice message={error.message} />;
  if (!data) return <Skeleton rows={2} />;
  return <DiffList changes={data.changes} testId={`diff-${from}-${to}`} />;
}

/** Every version of a service's policy, newest first, each with what it changed. */
export function RevisionHistory({
  service,
  initial,
  canEdit,
}: {
  service: string;
  initial: PolicyRevisionList | undefined;
  canEdit: boolean;
}) {
  const client = useQueryClient();
  const { data, error } = useLiveView('revisions', { service }, initial);
  const [rollingBack, setRollingBack] = useState<number>();
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string>();
  const [pending, startTransition] = useTransition();
  if (!data) return error ? <ViewErrorNotice message={error.message} /> : <Skeleton rows={5} />;
  const revisions = [...data.revisions].sort((a, b) => b.version - a.version);
  const latest = revisions[0]?.version;

  const rollback = (toVersion: number) =>
    startTransition(async () => {
      const result = await rollbackPolicyAction(service, toVersion, reason);
      if (result.ok) {
        setRollingBack(undefined);
        setReason('');
        setMessage(`Rolled back to version ${toVersion} as version ${result.data.policy.version}.`);
        await client.invalidateQueries({ queryKey: ['view'] });
      } else setMessage(result.message);
    });

  return (
    <>
      {message && (
        <p className="notice" role="status" data-testid="rollback-message">
          {message}
        </p>
      )}
      <ol className="revision-list" data-testid="revisions">
        {revisions.map((rev, i) => {
          const previous = revisions[i + 1];
          return (
            <li key={rev.version} className="revision" data-version={rev.version}>
              <div className="revision-head">
                <strong>v{rev.version}</strong>
                {rev.version === latest && <span className="role-badge operator">current</span>}
                <span className="muted">
                  <LocalTime at={rev.createdAt} format="date-time" /> · <bdi>{rev.author}</bdi>
                </span>
                <bdi className="revision-reason">{rev.reason}</bdi>
                {canEdit && rev.version !== latest && (
                  <button
                    type="button"
                    className="button"
                    onClick={() =>
                      setRollingBack(rollingBack === rev.version ? undefined : rev.version)
                    }
                  >
                    Roll back to v{rev.version}
                  </button>
                )}
              </div>
              {previous ? (
                <RevisionDiff service={service} from={previous.version} to={rev.version} />
              ) : (
                <p className="muted">First version.</p>
              )}
              {rollingBack === rev.version && (
                <form
                  className="form-actions"
                  onSubmit={(event) => {
                    event.preventDefault();
                    rollback(rev.version);
                  }}
                >
                  <input
                    type="text"
                    aria-label="Rollback reason"
                    placeholder="Why roll back? (required)"
                    value={reason}
                    onChange={(event) => setReason(event.target.value)}
                  />
                  <button
                    type="submit"
                    className="button danger"
                    disabled={!reason.trim() || pending}
                  >
                    Confirm rollback
                  </button>
                </form>
              )}
            </li>
          );
        })}
        {revisions.length === 0 && (
          <li className="muted">Never changed: {service} runs the default policy.</li>
        )}
      </ol>
    </>
  );
}
