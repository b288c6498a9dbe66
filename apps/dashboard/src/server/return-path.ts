/** The query parameter of `/login` that names the page to return to after sign-in. */
export const RETURN_PARAM = 'next';

// Any origin will do: only whether a path stays on it matters.
const HERE = 'http://dashboard.invalid';
// Deeper than any real link is encoded; a path still changing after this many decodings is refused.
const MAX_DECODINGS = 4;

function sameOrigin(path: string): boolean {
  try {
    return new URL(path, HERE).origin === HERE;
  } catch {
    return false;
  }
}

/**
 * The page to return to after sign-in, as a path on this dashboard, or `/`. The address is
 * parsed as a URL and must stay on this origin as sent and after every percent-decoding a
 * browser, router or proxy might apply, so `//host`, `/\host`, `/%2F%2Fhost`, `/%5Chost` and
 * their like, which a browser can take as another host, are refused.
 */
export function returnPath(requested: string | null | undefined): string {
  if (typeof requested !== 'string' || !requested.startsWith('/')) return '/';
  let candidate = requested;
  for (let decodings = 0; ; decodings++) {
    if (!sameOrigin(candidate) || /^\/[\\/]/.test(candidate)) return '/';
    let decoded: string;
    try {
      decoded = decodeURIComponent(candidate);
    } catch {
      return '/';
    }
    if (decoded === candidate) break;
    if (decodings === MAX_DECODINGS) return '/';
    candidate = decoded;
  }
  const url = new URL(requested, HERE);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `/login`, carrying the page to come back to unless that is the home page. */
export function loginPath(requested: string): string {
  const path = returnPath(requested);
  return path === '/' ? '/login' : `/login?${RETURN_PARAM}=${encodeURIComponent(path)}`;
}
