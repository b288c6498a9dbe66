import type { Route } from '@trellis/contracts';

const enum SegmentKind {
  Literal,
  Param,
  /** A final `*`: the rest of the path, possibly empty. */
  Rest,
}

interface Segment {
  kind: SegmentKind;
  text: string;
}

type PathMatcher = (target: string, end: number) => boolean;

function compileExact(path: string): PathMatcher {
  return (target, end) => end === path.length && target.startsWith(path);
}

function compileSegments(path: string): PathMatcher {
  const segments: Segment[] = path
    .slice(1)
    .split('/')
    .map((text) => {
      if (text === '*') return { kind: SegmentKind.Rest, text };
      if (text.startsWith('{')) return { kind: SegmentKind.Param, text };
      return { kind: SegmentKind.Literal, text };
    });
  // Walks the request target in place: this runs per request and must not allocate.
  return (target, end) => {
    let pos = 1;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment.kind === SegmentKind.Rest) return true;
      if (pos > end) return false;
      let next = target.indexOf('/', pos);
      if (next === -1 || next > end) next = end;
      if (segment.kind === SegmentKind.Param) {
        if (next === pos) return false;
      } else if (next - pos !== segment.text.length || !target.startsWith(segment.text, pos)) {
        return false;
      }
      pos = next + 1;
    }
    return pos > end;
  };
}

function compilePath(path: string): PathMatcher {
  if (path === '/*') return () => true;
  return path.includes('{') || path.endsWith('/*') ? compileSegments(path) : compileExact(path);
}

interface Entry<T> {
  method: string | undefined;
  matches: PathMatcher;
  value: T;
}

/**
 * A destination's routes, compiled once per config: method plus exact, prefix (`/items/*`) or
 * template (`/items/{id}`) path; the first match wins and anything else gets the fallback
 * (route `default`). The query string never takes part in matching.
 */
export class RouteTable<T> {
  private readonly entries: Entry<T>[];

  constructor(
    routes: readonly Route[],
    valueOf: (route: Route) => T,
    private readonly fallback: T,
  ) {
    this.entries = routes.map((route) => ({
      method: route.match.method,
      matches: compilePath(route.match.path),
      value: valueOf(route),
    }));
  }

  match(method: string, target: string): T {
    let end = target.indexOf('?');
    if (end === -1) end = target.length;
    for (const entry of this.entries) {
      if (entry.method !== undefined && entry.method !== method) continue;
      if (entry.matches(target, end)) return entry.value;
    }
    return this.fallback;
  }
}
