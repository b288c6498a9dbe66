import type { PolicyPreview } from '@trellis/contracts';
import { formatCount, formatPercent } from '../../format/metric-format';
import { DiffList } from './diff-list';

function lookBack(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}

/** The collector's what-if for a draft: the timeouts it would have caused, and the diff. */
export function PreviewResult({ preview, route }: { preview: PolicyPreview; route: string }) {
  const whatIf = preview.whatIf.filter((w) => w.route === route);
  return (
    <div className="notice" data-testid="preview">
      {!preview.valid && (
        <ul className="field-error">
          {preview.issues.map((issue) => (
            <li key={issue.path + issue.message}>
              {issue.path}: {issue.message}
            </li>
          ))}
        </ul>
      )}
      {whatIf.map((w) => (
        <p key={w.route} style={{ margin: '0 0 6px' }} data-testid="what-if">
          {w.wouldTimeOut === null ? (
            <>
              At {w.timeoutMs} ms: no traffic on <code>{w.route}</code> in the last{' '}
              {lookBack(w.windowSeconds)} to judge by.
            </>
          ) : (
            <>
              At <strong>{w.timeoutMs} ms</strong>,{' '}
              <strong className={w.wouldTimeOut > 0.01 ? 'sr failing' : undefined}>
                {formatPercent(w.wouldTimeOut, 1)}
              </strong>{' '}
              of the last {lookBack(w.windowSeconds)}&apos;s {formatCount(w.requests)} requests
              would have timed out.
            </>
          )}
        </p>
      ))}
      <DiffList changes={preview.diff} testId="preview-diff" />
    </div>
  );
}
