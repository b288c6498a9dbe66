import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, type ErrorBody } from './api-error.js';

/** Fastify's own client errors, under codes in the API's style, with the part they are about. */
const FASTIFY_CODES: Record<string, { code: string; path: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body-too-large', path: 'body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', path: 'headers.content-type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid-json', path: 'body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid-json', path: 'body' },
};

/** The one place errors become responses; a failure the API did not foresee is a 500 that keeps its cause in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send(body(error.code, error.message, error.details));
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
        .status(400)
        .send(
          body(
            'invalid-request',
            first ? `${first.path}: ${first.message}` : 'invalid request',
            details,
          ),
        );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const known = FASTIFY_CODES[error.code];
      if (known === undefined) {
        return reply
          .status(error.statusCode)
          .send(body(error.code ?? 'bad-request', error.message));
      }
      return reply
        .status(error.statusCode)
        .send(
          body(known.code, `${known.path}: ${error.message}`, [
            { path: known.path, message: error.message },
          ]),
        );
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('internal', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('not-found', `no route ${request.method} ${request.url}`)),
  );
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
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
  const status = error.statusCode ?? 400;
  const [code, message] =
    status === 414
      ? ['url-too-long', 'a path segment is longer than any name the API takes']
      : ['invalid-request', 'the URL does not decode as UTF-8'];
  void reply.status(status).send(body(code, `url: ${message}`, [{ path: 'url', message }]));
}
