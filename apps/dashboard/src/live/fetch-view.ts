import { ApiErrorBodySchema } from '@trellis/contracts';

/** A failed live read, with the code the dashboard's route handler gave it. */
export class ViewError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ViewError';
  }

  /** The collector (or the dashboard itself) is out of reach: keep the last data, mark it stale. */
  get unreachable(): boolean {
    return this.status === 0 || this.status === 503 || this.code === 'collector-unreachable';
  }
}

/** Reads a view from the dashboard's own `/api/v1` handlers (never from the collector). */
export async function fetchView<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1/${path}`, { signal, cache: 'no-store' });
  } catch (error) {
    throw new ViewError(0, 'dashboard-unreachable', (error as Error).message);
  }
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ApiErrorBodySchema.safeParse(payload);
    throw parsed.success
      ? new ViewError(response.status, parsed.data.error.code, parsed.data.error.message)
      : new ViewError(response.status, 'http-error', `dashboard answered ${response.status}`);
  }
  return payload as T;
}
