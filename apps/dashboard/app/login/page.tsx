import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/login/login-form';
import { returnPath } from '@/server/return-path';
import { readSession } from '@/server/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string }>;
}) {
  const next = returnPath((await searchParams).next);
  if (await readSession()) redirect(next);
  return (
    <main className="login-page">
      <div className="login-card panel">
        <h1>
          <span className="brand-mark" aria-hidden>
            ◆
          </span>{' '}
          Trellis
        </h1>
        <p className="muted">
          Sign in with a collector token. A new collector writes an operator token to{' '}
          <code>&lt;data dir&gt;/operator.token</code> on first start.
        </p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
