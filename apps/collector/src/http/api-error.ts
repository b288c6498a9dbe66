/** An error the API answers with: a stable `code`, the HTTP status it maps to, and its cause. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A 400 naming the field at fault, shaped as a schema validation error is. */
export function invalidField(path: string, message: string): ApiError {
  return new ApiError(400, 'invalid-request', `${path}: ${message}`, [{ path, message }]);
}
