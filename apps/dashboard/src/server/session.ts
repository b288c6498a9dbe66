import 'server-only';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ROLES, type Role } from '@trellis/contracts';
import { z } from 'zod';
import { loadConfig } from '../config';
import { fetchWhoAmI } from './collector-api';
import { loginPath } from './return-path';
import { REQUEST_PATH_HEADER } from './security-headers';

/**
 * The signed-in operator's session: the collector token sealed (AES-256-GCM) into an httpOnly,
 * SameSite cookie. Only the dashboard's server can open it, so the token never reaches browser
 * JavaScript; the browser talks to the dashboard, and the dashboard to the collector.
 *
 * A cookie alone is not a session: its id must also be live in this process, so signing out
 * ends it for every copy of the cookie (and a restart ends every session), and its token must
 * still be accepted by the collector, asked at most every few seconds per token, so revoking
 * the token there ends the session too.
 */

export const SESSION_COOKIE = 'trellis_session';
const SESSION_TTL_SECONDS = 12 * 60 * 60;
// Sessions signed in at once; past this the oldest ends. Bounds what a token holder signing in
// in a loop can make the process keep.
const MAX_LIVE_SESSIONS = 10_000;
// How long the collector's word on a token stands before it is asked again.
const TOKEN_CHECK_MS = 5_000;

const SessionSchema = z.object({
  id: z.string(),
  token: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  expiresAt: z.number(),
});

export type Session = z.infer<typeof SessionSchema>;

function key(): Buffer {
  return createHash('sha256').update(loadConfig().sessionSecret).digest();
}

export function seal(session: Session): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(sealed: string, now = Date.now()): Session | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString();
    const session = SessionSchema.parse(JSON.parse(json));
    return session.expiresAt > now ? session : undefined;
  } catch {
    return undefined;
  }
}

interface SessionState {
  /** Live session ids and when each expires, oldest first. */
  live: Map<string, number>;
  /** Per token (hashed): whether the collector accepted it, and when it was asked. */
  tokenChecks: Map<string, { accepted: boolean; at: number }>;
}

// Next bundles server code per route, so module state would differ between the action that
// signs in and the handler that reads the session: one state per process, kept globally.
const STATE_KEY = Symbol.for('trellis.dashboard.sessions');
const globalState = globalThis as typeof globalThis & { [STATE_KEY]?: SessionState };
const state = (globalState[STATE_KEY] ??= { live: new Map(), tokenChecks: new Map() });

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Whether the collector still accepts `token`. Only its refusal counts: while it cannot be
 * reached, sessions stay (the pages show stale data rather than a sign-in form).
 */
async function tokenAccepted(token: string, now: number): Promise<boolean> {
  const key = tokenKey(token);
  const known = state.tokenChecks.get(key);
  if (known !== undefined && now - known.at < TOKEN_CHECK_MS) return known.accepted;
  const who = await fetchWhoAmI(token);
  const accepted = who.ok || (who.status !== 401 && who.status !== 403);
  // Oldest first: a token asked about again moves to the end, and the oldest give way.
  state.tokenChecks.delete(key);
  state.tokenChecks.set(key, { accepted, at: now });
  for (const oldest of state.tokenChecks.keys()) {
    if (state.tokenChecks.size <= MAX_LIVE_SESSIONS) break;
    state.tokenChecks.delete(oldest);
  }
  return accepted;
}

export async function readSession(): Promise<Session | undefined> {
  const sealed = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = sealed ? unseal(sealed) : undefined;
  if (session === undefined || !state.live.has(session.id)) return undefined;
  if (await tokenAccepted(session.token, Date.now())) return session;
  state.live.delete(session.id);
  return undefined;
}

/**
 * The session of a page or action that needs one; without it, the sign-in page, which
 * returns to the page asked for (its path comes from the request proxy).
 */
export async function requireSession(): Promise<Session> {
  const session = await readSession();
  if (!session) redirect(loginPath((await headers()).get(REQUEST_PATH_HEADER) ?? '/'));
  return session;
}

export async function startSession(token: string, name: string, role: Role): Promise<void> {
  const now = Date.now();
  const expiresAt = now + SESSION_TTL_SECONDS * 1000;
  const id = randomBytes(18).toString('base64url');
  for (const [live, liveUntil] of state.live) {
    if (liveUntil > now && state.live.size < MAX_LIVE_SESSIONS) break;
    state.live.delete(live);
  }
  state.live.set(id, expiresAt);
  state.tokenChecks.set(tokenKey(token), { accepted: true, at: now });
  (await cookies()).set(SESSION_COOKIE, seal({ id, token, name, role, expiresAt }), {
    httpOnly: true,
    sameSite: 'lax',
    secure: loadConfig().secureCookies,
    path: '/',
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** Ends the session for this browser and for every copy of its cookie. */
export async function endSession(): Promise<void> {
  const jar = await cookies();
  const sealed = jar.get(SESSION_COOKIE)?.value;
  const session = sealed ? unseal(sealed) : undefined;
  if (session !== undefined) state.live.delete(session.id);
  jar.delete(SESSION_COOKIE);
}

export function canEdit(session: Pick<Session, 'role'>): boolean {
  return session.role === 'operator';
}
