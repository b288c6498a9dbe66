import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_ERRORS, ApiErrorBodySchema } from '@trellis/contracts';
import type { Database } from '@trellis/db';
import { BOUND_PROXY_TOKEN_COMMAND } from '../config.js';
import { ApiError } from '../http/api-error.js';
import { isAllowed, type Access } from './access.js';
import { authenticate, type Principal } from './token-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Enforces each route's declared `config.access` in one place. It must be installed before
 * any route: a `/v1` route that declares no access fails the start instead of being open.
 */
export function installRoleCheck(app: FastifyInstance, database: Database): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no access`);
    }
    if (access === 'public') return;
    // Documented where it is enforced, so the OpenAPI document cannot drift from the check.
    route.schema = {
      ...route.schema,
      security: [{ bearer: [] }],
      description: [route.schema?.description, `Requires: ${describe(access)}.`]
        .filter(Boolean)
        .join(' '),
      response: {
        ...(route.schema?.response as object | undefined),
        401: ApiErrorBodySchema.describe('no token, or an unknown or revoked one'),
        403: ApiErrorBodySchema.describe(
          'the token has the wrong role, is a proxy token bound to another service, or a proxy token bound to none',
        ),
      },
    };
  });

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const principal = token === undefined ? undefined : await authenticate(database, token);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        API_ERRORS.unauthenticated,
        token === undefined
          ? 'this needs a bearer token (Authorization: Bearer …)'
          : 'the token is unknown or revoked',
      );
    }
    if (principal.role === 'proxy' && principal.service === null) {
      throw new ApiError(
        API_ERRORS.proxyTokenUnbound,
        `proxy token "${principal.name}" is bound to no service; create a bound one with: ${BOUND_PROXY_TOKEN_COMMAND}`,
      );
    }
    if (!isAllowed(access, principal.role)) {
      throw new ApiError(
        API_ERRORS.forbidden,
        `this needs ${describe(access)}; token "${principal.name}" has role ${principal.role}`,
      );
    }
    request.principal = principal;
  });
}

/** The principal of a request whose route requires a token. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route declares no access but reads the principal');
  return request.principal;
}

/**
 * Refuses a proxy token bound to another service than `service`. Operators carry no binding
 * and may act for any service (the dashboard and tests stand in for proxies).
 */
export function requireServiceBinding(principal: Principal, service: string): void {
  if (principal.service === null || principal.service === service) return;
  throw new ApiError(
    API_ERRORS.serviceNotBound,
    `token "${principal.name}" is bound to service "${principal.service}" and cannot act for "${service}"`,
  );
}

function describe(access: Exclude<Access, 'public'>): string {
  switch (access) {
    case 'authenticated':
      return 'any valid token';
    case 'viewer':
      return 'role viewer or operator';
    case 'operator':
      return 'role operator';
    case 'proxy':
      return 'role proxy or operator';
  }
}
