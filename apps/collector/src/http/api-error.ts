import {
  API_ERRORS,
  type ApiErrorBody,
  type ApiErrorCode,
  type ApiErrorKind,
} from '@trellis/contracts';

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

/** A 400 naming the field at fault, shaped as a schema validation error is. */
export function invalidField(path: string, message: string): ApiError {
  return new ApiError(API_ERRORS.invalidRequest, `${path}: ${message}`, [{ path, message }]);
}
