import type { PolicyDiffEntry } from '@trellis/contracts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The differences between two JSON documents, one entry per changed leaf, in document order.
 * Arrays compare by index: policy routes are ordered (first match wins), so a move is a change.
 */
export function diffDocuments(before: unknown, after: unknown): PolicyDiffEntry[] {
  const changes: PolicyDiffEntry[] = [];
  compare(before as Json, after as Json, [], changes);
  return changes;
}

function compare(before: Json, after: Json, path: string[], changes: PolicyDiffEntry[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !(key in before))];
    for (const key of keys) {
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      if (inBefore && inAfter) compare(before[key]!, after[key]!, [...path, key], changes);
      else changes.push(entry([...path, key], inBefore, before[key], inAfter, after[key]));
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      const inBefore = i < before.length;
      const inAfter = i < after.length;
      if (inBefore && inAfter) compare(before[i]!, after[i]!, [...path, String(i)], changes);
      else changes.push(entry([...path, String(i)], inBefore, before[i], inAfter, after[i]));
    }
    return;
  }
  if (before !== after) changes.push({ path: path.join('.'), before, after });
}

function entry(
  path: string[],
  inBefore: boolean,
  before: Json | undefined,
  inAfter: boolean,
  after: Json | undefined,
): PolicyDiffEntry {
  return {
    path: path.join('.'),
    ...(inBefore ? { before } : {}),
    ...(inAfter ? { after } : {}),
  };
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
