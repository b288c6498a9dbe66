import type { PolicyDiffEntry } from '@trellis/contracts';

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** Changed values of a policy, one path per line: old struck through, new in green. */
export function DiffList({ changes, testId }: { changes: PolicyDiffEntry[]; testId?: string }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <ul className="diff-list" data-testid={testId}>
      {changes.map((c) => (
        <li key={c.path}>
          <span className="muted">{c.path}</span>:{' '}
          <span className="diff-before">{show(c.before)}</span> →{' '}
          <span className="diff-after">{show(c.after)}</span>
        </li>
      ))}
    </ul>
  );
}
