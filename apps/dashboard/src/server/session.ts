import 'server-only';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { ROLES, type Role } from '@trellis/contracts';
import { z } from 'zod';
import { loadConfig } from '../config';

/**
 * The signed-in operator's session: the collector token sealed (AES-256-GCM) into an httpOnly,
 * SameSite cookie. Only the dashboard's server can open it, so the token never reaches browser
 * JavaScript; the browser talks to the dashboard, and the dashboard to the collector.
 */

export const SESSION_COOKIE = 'trellis_session';
const SESSION_TTL_SECONDS = 12 * 60 * 60;

const SessionSchema = z.object({
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

export async function readSession(): Promise<Session | undefined> {
  const sealed = (await cookies()).get(SESSION_COOKIE)?.value;
  return sealed ? unseal(sealed) : undefined;
}

/** The session of a page or action that needs one; without it, the sign-in page. */
export async function requireSession(): Promise<Session> {
  const session = await readSession();
  if (!session) redirect('/login');
  return session;
}

export async function startSession(token: string, name: string, role: Role): Promise<void> {
  const expiresAt = Date.now() + SESSION_TTL_SECONDS * 1000;
  (await cookies()).set(SESSION_COOKIE, seal({ token, name, role, expiresAt }), {
    httpOnly: true,
    sameSite: 'lax',
    secure: loadConfig().secureCookies,
    path: '/',
    maxAge: SESSION_TTL_SECONDS,
  });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

export function canEdit(session: Pick<Session, 'role'>): boolean {
  return session.role === 'operator';
}
