'use client';

import { useContext } from 'react';
import { DEFAULT_REFRESH, REFRESHES, type Refresh } from '../../time-window';
import { ScrapeIntervalContext } from '../../live/dashboard-providers';
import { useViewState } from '../../live/use-view-state';
import { useReplaceParams } from './use-replace-param';

const REFRESH_DEFAULTS = { refresh: DEFAULT_REFRESH };

export function RefreshPicker() {
  const { refresh } = useViewState();
  const scrapeIntervalSeconds = useContext(ScrapeIntervalContext);
  const { replace } = useReplaceParams(REFRESH_DEFAULTS);
  const label = (value: Refresh) =>
    value === 'auto'
      ? `Every ${scrapeIntervalSeconds}s`
      : value === 'off'
        ? 'Paused'
        : `Every ${value}`;
  return (
    <label className="refresh-picker">
      <span className="visually-hidden">Auto-refresh</span>
      <select
        value={refresh}
        onChange={(event) => replace({ refresh: event.target.value })}
        data-testid="refresh-picker"
      >
        {REFRESHES.map((value) => (
          <option key={value} value={value}>
            {label(value)}
          </option>
        ))}
      </select>
    </label>
  );
}
