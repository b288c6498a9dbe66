import type { PolicyDiffEntry } from '@trellis/contracts';

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** The changes of a policy in words, one per line, as the collector describes them. */
export function DiffList({ changes, testId }: { changes: PolicyDiffEntry[]; testId?: string }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <ul className="diff-list" data-testid={testId}>
      {changes.map((c) => (
        <li key={c.path}>
          {c.summary ?? (
            <>
              <span className="muted">{c.path}</span>: {show(c.before)} → {show(c.after)}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
