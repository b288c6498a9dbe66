import { signOut } from '../../actions/session-actions';
import type { Session } from '../../server/session';
import { NavLinks } from './nav-links';
import { RefreshPicker } from './refresh-picker';
import { StaleIndicator } from './stale-indicator';
import { WindowPicker } from './window-picker';

export function AppHeader({ session }: { session: Session }) {
  return (
    <header className="shell-header">
      <a className="brand" href="/">
        <span className="brand-mark" aria-hidden>
          ◆
        </span>
        Trellis
      </a>
      <NavLinks />
      <div className="shell-controls">
        <StaleIndicator />
        <WindowPicker />
        <RefreshPicker />
        <span className="user-chip" data-testid="user-chip" title={`Signed in as ${session.name}`}>
          <bdi>{session.name}</bdi>{' '}
          <span className={`role-badge ${session.role}`}>{session.role}</span>
        </span>
        <form action={signOut}>
          <button type="submit" className="button ghost">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
