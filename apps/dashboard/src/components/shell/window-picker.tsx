'use client';

import { usePathname } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { DEFAULT_WINDOW, WINDOWS } from '../../time-window';
import { useViewState } from '../../live/use-view-state';
import { LocalTime } from '../common/local-time';
import { useReplaceParams } from './use-replace-param';

const WINDOW_DEFAULTS = { window: DEFAULT_WINDOW };

/** The pages whose numbers cover a time: the overview, topology, services, routes and edges. */
function showsMetrics(pathname: string): boolean {
  return (
    pathname === '/' ||
    pathname === '/topology' ||
    pathname.startsWith('/services/') ||
    pathname.startsWith('/edges/')
  );
}

/** `datetime-local` text (the browser's time zone) for a moment, to the minute. */
function localInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

function CustomRange({ onDone }: { onDone: () => void }) {
  const { range } = useViewState();
  const { replace } = useReplaceParams(WINDOW_DEFAULTS);
  const now = Date.now();
  const [from, setFrom] = useState(localInput(range?.fromMs ?? now - 3_600_000));
  const [to, setTo] = useState(localInput(range?.toMs ?? now));
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [fromMs, toMs] = [new Date(from).getTime(), new Date(to).getTime()];
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
      setError('Give both a start and an end.');
    } else if (fromMs >= toMs) {
      setError('The start must be before the end.');
    } else if (toMs - fromMs > 7 * 86_400_000) {
      setError('A range spans 7 days at most.');
    } else {
      replace({ from: String(fromMs), to: String(toMs), window: null });
      onDone();
    }
  };
  return (
    <form className="custom-range" onSubmit={submit} data-testid="custom-range" noValidate>
      <label>
        From
        <input
          type="datetime-local"
          value={from}
          onChange={(event) => setFrom(event.target.value)}
          aria-describedby={error ? 'custom-range-error' : undefined}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          value={to}
          onChange={(event) => setTo(event.target.value)}
          aria-describedby={error ? 'custom-range-error' : undefined}
        />
      </label>
      <button type="submit" className="button">
        Apply
      </button>
      <button type="button" className="button ghost" onClick={onDone}>
        Cancel
      </button>
      {error && (
        <p id="custom-range-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** How far back the numbers look, or a fixed range; shown only where it changes something. */
export function WindowPicker() {
  const pathname = usePathname();
  const { window, range } = useViewState();
  const { replace, pending } = useReplaceParams(WINDOW_DEFAULTS);
  const [editing, setEditing] = useState(false);
  if (!showsMetrics(pathname)) return null;
  return (
    <div className="window-picker">
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
            aria-pressed={!range && value === window}
            className={!range && value === window ? 'active' : undefined}
            onClick={() => replace({ window: value, from: null, to: null })}
          >
            {value}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={range !== undefined}
          aria-expanded={editing}
          className={range ? 'active' : undefined}
          onClick={() => setEditing((open) => !open)}
        >
          Custom
        </button>
      </div>
      {range && !editing && (
        <span className="range-chip" data-testid="range-chip">
          <LocalTime at={range.fromMs} format="date-time" /> –{' '}
          <LocalTime at={range.toMs} format="date-time" />
        </span>
      )}
      {editing && <CustomRange onDone={() => setEditing(false)} />}
    </div>
  );
}
