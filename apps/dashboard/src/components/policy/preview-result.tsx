import type { PolicyPreview } from '@trellis/contracts';
import { formatCount, formatDuration, formatPercent } from '../../format/metric-format';
import { issueInWords } from '../../policy/route-policy-draft';
import { DiffList } from './diff-list';

/**
 * The collector's what-if for a draft over the page's window: the timeouts it would have
 * caused, the retries it would have asked for against what the budget allows and the success
 * rate callers would then see, and the changes in words.
 */
export function PreviewResult({ preview, route }: { preview: PolicyPreview; route: string }) {
  const whatIf = preview.whatIf.filter((w) => w.route === route);
  const retries = preview.retries.filter((r) => r.route === route);
  return (
    <div className="notice" data-testid="preview">
      {!preview.valid && (
        <ul className="field-error" role="alert">
          {preview.issues.map((issue) => (
            <li key={issue.path + issue.message}>{issueInWords(issue.path, issue.message)}</li>
          ))}
        </ul>
      )}
      {whatIf.map((w) => (
        <p key={w.route} className="what-if" data-testid="what-if">
          {w.wouldTimeOut === null ? (
            <>
              At {w.timeoutMs} ms: no traffic on <code>{w.route}</code> in the last{' '}
              {formatDuration(w.windowSeconds)} to judge by.
            </>
          ) : (
            <>
              At <strong>{w.timeoutMs} ms</strong>,{' '}
              <strong className={w.wouldTimeOut > 0.01 ? 'sr failing' : undefined}>
                {formatPercent(w.wouldTimeOut, 1)}
              </strong>{' '}
              of the last {formatDuration(w.windowSeconds)}&apos;s {formatCount(w.requests)}{' '}
              requests would have timed out.
            </>
          )}
        </p>
      ))}
      {retries.map((r) =>
        r.expectedSuccessRate === null ? (
          <p key={r.route} className="what-if" data-testid="retry-what-if">
            No traffic on <code>{r.route}</code> in the last {formatDuration(r.windowSeconds)} to
            judge retries by.
          </p>
        ) : (
          <dl key={r.route} className="what-if-grid" data-testid="retry-what-if">
            <dt>Requests in the last {formatDuration(r.windowSeconds)}</dt>
            <dd>{formatCount(r.requests)}</dd>
            <dt>Failed attempts</dt>
            <dd>{formatCount(r.failures)}</dd>
            <dt>Retries wanted (up to {r.maxRetries} each)</dt>
            <dd>{formatCount(r.retriesWanted)}</dd>
            <dt>Retries the budget allows</dt>
            <dd className={r.budgetAllows < r.retriesWanted ? 'sr warning' : undefined}>
              {formatCount(r.budgetAllows)}
            </dd>
            <dt>Success rate callers saw</dt>
            <dd>{formatPercent(r.successRate, 1)}</dd>
            <dt>Expected with these retries</dt>
            <dd>
              <strong data-testid="expected-success-rate">
                {formatPercent(r.expectedSuccessRate, 1)}
              </strong>
            </dd>
          </dl>
        ),
      )}
      <DiffList changes={preview.diff} testId="preview-diff" />
    </div>
  );
}
