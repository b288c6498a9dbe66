import type { Role } from '@trellis/contracts';

/**
 * Who may call a route, declared in its options (`config: { access }`):
 * `public` needs no token, `authenticated` any valid one, a role that role (or one above it).
 */
export type Access = 'public' | 'authenticated' | Role;

/** Operators may do what viewers and proxies do, so a dashboard or a test can stand in for either. */
const ALLOWED: Record<Role, readonly Role[]> = {
  viewer: ['viewer', 'operator'],
  operator: ['operator'],
  proxy: ['proxy', 'operator'],
};

export function isAllowed(access: Exclude<Access, 'public'>, role: Role): boolean {
  return access === 'authenticated' || ALLOWED[access].includes(role);
}
