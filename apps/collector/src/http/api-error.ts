import type { ApiErrorBody, ApiErrorCode, ApiErrorKind } from '@trellis/contracts';

/** An error the API answers with: its entry of API_ERRORS (code and HTTP status), and its cause. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;

  constructor(
    kind: ApiErrorKind,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.status = kind.status;
    this.code = kind.code;
  }

  /** The response body of this error. */
  body(): ApiErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

export function errorBody(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
