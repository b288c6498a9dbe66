/** The destination service an authority names: the host without port, lowercased. */
export function serviceOfAuthority(authority: string): string {
  let end = authority.length;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    end = close === -1 ? end : close + 1;
  } else {
    const colon = authority.indexOf(':');
    if (colon !== -1) end = colon;
  }
  return authority.slice(0, end).toLowerCase();
}

/**
 * Splits an absolute-form request target (`http://catalog/items?x=1`, as an app using
 * HTTP_PROXY sends) into authority and origin-form path; undefined if it is not one.
 */
export function splitAbsoluteTarget(
  target: string,
): { authority: string; path: string } | undefined {
  const scheme = target.indexOf('://');
  if (scheme === -1) return undefined;
  const start = scheme + 3;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  const authority = target.slice(start, end);
  const rest = target.slice(end);
  const path = rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}`;
  return { authority: authority.slice(authority.lastIndexOf('@') + 1), path };
}
