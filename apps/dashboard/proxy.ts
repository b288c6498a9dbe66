import { NextResponse, type NextRequest } from 'next/server';
import { loadConfig } from '@/config';
import { loginPath } from '@/server/return-path';
import {
  contentSecurityPolicy,
  newNonce,
  REQUEST_PATH_HEADER,
  setSecurityHeaders,
} from '@/server/security-headers';
import { SESSION_COOKIE } from '@/server/session';

/** Paths anyone may open: sign-in, the live-data API (it answers 401 itself), Next's assets. */
const PUBLIC = /^\/(?:login(?:\/|$)|api\/|_next\/|favicon\.ico$)/;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host the browser addressed, as Next.js itself decides it for server actions. */
function requestHost(request: NextRequest): string | null {
  return request.headers.get('x-forwarded-host') ?? request.headers.get('host');
}

function crossOrigin(request: NextRequest): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  try {
    return new URL(origin).host !== requestHost(request);
  } catch {
    return true;
  }
}

function withSecurityHeaders(response: NextResponse, policy: string): NextResponse {
  setSecurityHeaders(response.headers, policy);
  return response;
}

/**
 * Runs before every request: refuses writes from other origins (403, where a server action
 * would fail with 500), sends a visitor without a session to sign in with the page they asked
 * for, and puts a fresh CSP nonce and the security headers on every response.
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce(), loadConfig().development);
  if (!SAFE_METHODS.has(request.method) && crossOrigin(request)) {
    return withSecurityHeaders(
      new NextResponse('cross-origin request refused\n', {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      }),
      policy,
    );
  }
  const { pathname, search } = request.nextUrl;
  const path = `${pathname}${search}`;
  if (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !PUBLIC.test(pathname) &&
    !request.cookies.has(SESSION_COOKIE)
  ) {
    return withSecurityHeaders(
      NextResponse.redirect(new URL(loginPath(path), request.url)),
      policy,
    );
  }
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  headers.set(REQUEST_PATH_HEADER, path);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), policy);
}
