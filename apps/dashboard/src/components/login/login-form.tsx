'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '../../actions/session-actions';
import { RETURN_PARAM } from '../../server/return-path';

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, {});
  return (
    <form action={action} className="login-form">
      <input type="hidden" name={RETURN_PARAM} value={next} />
      <label htmlFor="token">Token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="current-password"
        required
        autoFocus
        aria-invalid={Boolean(state.error)}
        aria-describedby={state.error ? 'token-error' : undefined}
      />
      {state.error && (
        <p id="token-error" className="field-error" role="alert">
          {state.error}
        </p>
      )}
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
