import type { FastifyError, FastifyInstance } from 'fastify';
import { API_ERRORS, type ApiErrorCode } from '@trellis/contracts';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, errorBody as body } from './api-error.js';

/** Fastify's own client errors, under codes of the catalogue; any other is `bad-request`. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: API_ERRORS.bodyTooLarge.code,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: API_ERRORS.unsupportedMediaType.code,
  FST_ERR_CTP_EMPTY_JSON_BODY: API_ERRORS.invalidJson.code,
  FST_ERR_CTP_INVALID_JSON_BODY: API_ERRORS.invalidJson.code,
};

/** The one place errors become responses; a failure the API did not foresee is a 500 that keeps its cause in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send(error.body());
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.flatMap((issue) => {
        const path = [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)];
        // zod reports unknown fields on their parent object; name each field itself instead.
        const unknownKeys = issue.keyword === 'unrecognized_keys' ? issue.params.keys : undefined;
        if (Array.isArray(unknownKeys) && unknownKeys.length > 0) {
          return unknownKeys.map((key) => ({
            path: [...path, String(key)].join('.'),
            message: 'unknown field',
          }));
        }
        return [{ path: path.join('.'), message: issue.message }];
      });
      const first = details[0];
      return reply
        .status(API_ERRORS.invalidRequest.status)
        .send(
          body(
            API_ERRORS.invalidRequest.code,
            first ? `${first.path}: ${first.message}` : 'invalid request',
            details,
          ),
        );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .status(error.statusCode)
        .send(body(FASTIFY_CODES[error.code] ?? API_ERRORS.badRequest.code, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(API_ERRORS.internal.status)
      .send(body(API_ERRORS.internal.code, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(API_ERRORS.notFound.status)
      .send(body(API_ERRORS.notFound.code, `no route ${request.method} ${request.url}`)),
  );
}
