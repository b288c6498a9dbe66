'use client';

import { DEFAULT_WINDOW, WINDOWS } from '../../time-window';
import { useViewState } from '../../live/use-view-state';
import { useReplaceParam } from './use-replace-param';

export function WindowPicker() {
  const { window } = useViewState();
  const { replace, pending } = useReplaceParam('window', DEFAULT_WINDOW);
  return (
    <div
      className="segmented"
      role="group"
      aria-label="Time window"
      data-testid="window-picker"
      aria-busy={pending}
    >
      {WINDOWS.map((value) => (
        <button
          key={value}
          type="button"
          aria-pressed={value === window}
          className={value === window ? 'active' : undefined}
          onClick={() => replace(value)}
        >
          {value}
        </button>
      ))}
    </div>
  );
}
