/**
 * The headers every dashboard response carries. Pages run under a Content Security Policy
 * whose scripts and style elements need the request's nonce (Next.js puts it on its own
 * scripts when it finds the policy on the request); style attributes stay allowed, since the
 * charts and graph position their parts with them and an attribute cannot run code.
 */

/** Set by the request proxy: the path and query asked for, so sign-in can return there. */
export const REQUEST_PATH_HEADER = 'x-trellis-path';

export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    // React rebuilds server error stacks with eval in development only.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Besides the policy: no framing for browsers without CSP, no sniffing, no foreign referrers. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function setSecurityHeaders(headers: Headers, policy: string): void {
  headers.set('content-security-policy', policy);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
}

/** A fresh nonce per request: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
