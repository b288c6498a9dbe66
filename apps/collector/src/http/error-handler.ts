import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, type ApiErrorKind } from '@trellis/contracts';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, errorBody as body } from './api-error.js';

/** Fastify's own client errors, under entries of the catalogue, with the part they are about. */
const FASTIFY_CODES: Record<string, { kind: ApiErrorKind; path: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { kind: API_ERRORS.bodyTooLarge, path: 'body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    kind: API_ERRORS.unsupportedMediaType,
    path: 'headers.content-type',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { kind: API_ERRORS.invalidJson, path: 'body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { kind: API_ERRORS.invalidJson, path: 'body' },
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
      const known = FASTIFY_CODES[error.code];
      if (known === undefined) {
        return reply.status(error.statusCode).send(body(API_ERRORS.badRequest.code, error.message));
      }
      return reply
        .status(error.statusCode)
        .send(
          body(known.kind.code, `${known.path}: ${error.message}`, [
            { path: known.path, message: error.message },
          ]),
        );
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

/**
 * Errors the router raises before any route (and so before the error handler) runs: a URL
 * that does not decode, or a path parameter longer than the router takes. Passed to Fastify
 * as `frameworkErrors`, so they answer in the API's shape too.
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [kind, message] =
    error.statusCode === API_ERRORS.urlTooLong.status
      ? [API_ERRORS.urlTooLong, 'a path segment is longer than any name the API takes']
      : [API_ERRORS.invalidRequest, 'the URL does not decode as UTF-8'];
  void reply
    .status(kind.status)
    .send(body(kind.code, `url: ${message}`, [{ path: 'url', message }]));
}
