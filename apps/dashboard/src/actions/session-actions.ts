'use server';

import { redirect } from 'next/navigation';
import { fetchWhoAmI } from '../server/collector-api';
import { UNREACHABLE } from '../server/collector-client';
import { returnPath, RETURN_PARAM } from '../server/return-path';
import { endSession, startSession } from '../server/session';

export interface SignInState {
  error?: string;
}

/** Checks the token with the collector (`/v1/whoami`) before it becomes a session. */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const token = String(form.get('token') ?? '').trim();
  if (!token) return { error: 'Paste a collector token.' };
  const who = await fetchWhoAmI(token);
  if (!who.ok) {
    if (who.code === UNREACHABLE) return { error: 'The collector cannot be reached right now.' };
    if (who.status === 401 || who.status === 403) return { error: 'That token is not valid.' };
    return { error: who.message };
  }
  if (who.data.role === 'proxy') return { error: 'Proxy tokens cannot sign in to the dashboard.' };
  await startSession(token, who.data.name, who.data.role);
  redirect(returnPath(String(form.get(RETURN_PARAM) ?? '/')));
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect('/login');
}
