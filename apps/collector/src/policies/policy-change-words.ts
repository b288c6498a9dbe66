import type { PolicyDiffEntry, PolicySpec, Retry, Route } from '@trellis/contracts';
import { diffDocuments } from './policy-diff.js';

const timeout = (ms: unknown) => (typeof ms === 'number' ? `${ms} ms` : 'the default');

function retryWords(retry: Retry | undefined): string {
  if (retry === undefined) return 'off';
  const times = retry.maxRetries === 1 ? '1 retry' : `${retry.maxRetries} retries`;
  const perTry = retry.perTryTimeoutMs === undefined ? '' : `, ${retry.perTryTimeoutMs} ms per try`;
  return `${times} on ${retry.on.join(', ')}${perTry}, backoff ${retry.backoff.baseMs}–${retry.backoff.maxMs} ms`;
}

function matchWords(match: Route['match']): string {
  return `${match.method ?? 'any method'} ${match.path}`;
}

const BUDGET_WORDS: Record<string, [string, (value: unknown) => string]> = {
  ratio: ['ratio', (v) => String(v)],
  minRetriesPerSecond: ['minimum', (v) => `${String(v)} retries/s`],
  ttlSeconds: ['window', (v) => `${String(v)} s`],
};

/** One change of a route, from its whole before and after. */
function routeChange(
  index: number,
  part: string | undefined,
  before: Route | undefined,
  after: Route | undefined,
): PolicyDiffEntry {
  const name = after?.name ?? before?.name ?? `#${index + 1}`;
  const path = part === undefined ? `routes.${index}` : `routes.${index}.${part}`;
  const entry = (from: unknown, to: unknown, summary: string): PolicyDiffEntry => ({
    path,
    ...(from === undefined ? {} : { before: from }),
    ...(to === undefined ? {} : { after: to }),
    summary,
  });
  if (part === undefined) {
    return after === undefined
      ? entry(before, undefined, `Route ${name}: removed`)
      : entry(before, after, `Route ${name}: added (${matchWords(after.match)})`);
  }
  switch (part) {
    case 'retry':
      return entry(
        before?.retry,
        after?.retry,
        `Route ${name} retry: ${retryWords(before?.retry)} → ${retryWords(after?.retry)}`,
      );
    case 'timeoutMs':
      return entry(
        before?.timeoutMs,
        after?.timeoutMs,
        `Route ${name} timeout: ${timeout(before?.timeoutMs)} → ${timeout(after?.timeoutMs)}`,
      );
    case 'match':
      return entry(
        before?.match,
        after?.match,
        `Route ${name} matches: ${before ? matchWords(before.match) : 'nothing'} → ${after ? matchWords(after.match) : 'nothing'}`,
      );
    default:
      return entry(
        before?.name,
        after?.name,
        `Route #${index + 1} renamed: ${before?.name ?? '—'} → ${after?.name ?? '—'}`,
      );
  }
}

/**
 * The changes between two policies, in words an operator reads at a glance ("Route recommend
 * retry: off → 2 retries on 5xx, …"): one entry per route part or setting that changed, with
 * its path and values for tools.
 */
export function describePolicyChanges(before: PolicySpec, after: PolicySpec): PolicyDiffEntry[] {
  const described: PolicyDiffEntry[] = [];
  const seen = new Set<string>();
  for (const change of diffDocuments(before, after)) {
    const [head, key, part] = change.path.split('.');
    if (head === 'routes' && key !== undefined) {
      const index = Number(key);
      const whole = part === undefined;
      const id = whole ? `routes.${index}` : `routes.${index}.${part}`;
      if (seen.has(id)) continue;
      seen.add(id);
      described.push(
        routeChange(index, whole ? undefined : part, before.routes[index], after.routes[index]),
      );
    } else if (head === 'retryBudget' && key !== undefined && key in BUDGET_WORDS) {
      const [label, show] = BUDGET_WORDS[key]!;
      described.push({
        ...change,
        summary: `Retry budget ${label}: ${show(change.before)} → ${show(change.after)}`,
      });
    } else if (head === 'defaultTimeoutMs') {
      described.push({
        ...change,
        summary: `Default timeout: ${timeout(change.before)} → ${timeout(change.after)}`,
      });
    } else {
      described.push(change);
    }
  }
  return described;
}
