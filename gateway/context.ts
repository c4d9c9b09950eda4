import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { viewerFromAuthorization, type Viewer } from '../subgraphs/shared/auth.js';
import { requestIdFrom } from '../lib/http.js';
import type { Logger } from '../lib/logger.js';

/** What every resolver, plugin and data source of the gateway knows about the request. */
export interface GatewayContext {
  /** The verified caller, or null for an anonymous request (public data only; `me` is null). */
  viewer: Viewer | null;
  /** The caller's `x-request-id` when it is a sensible one, else a new UUID; sent to subgraphs and back to the caller. */
  requestId: string;
  /** A logger bound to this request. */
  logger: Logger;
}

type RequestScope = Pick<GatewayContext, 'requestId' | 'logger'>;

/**
 * The request being served, for code Apollo Server calls without the context (`formatError`), so
 * that an error is logged with the request id it belongs to.
 */
const requestScope = new AsyncLocalStorage<RequestScope>();

/** Express middleware: gives the request its id (echoed in `x-request-id`) and logger for the rest of its life. */
export function requestScopeMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.header('x-request-id'));
    res.setHeader('x-request-id', requestId);
    requestScope.run({ requestId, logger: logger.child({ requestId }) }, next);
  };
}

/** The current request's logger, or `fallback` outside a request. */
export function requestLogger(fallback: Logger): Logger {
  return requestScope.getStore()?.logger ?? fallback;
}

/**
 * Apollo Server's `context` function: verifies the bearer token. No token: anonymous. A bad or
 * expired one fails the whole request with UNAUTHENTICATED (HTTP 401), never silently anonymous.
 */
export function contextBuilder(options: { jwtSecret: string; logger: Logger }) {
  return async ({ req }: { req: Request }): Promise<GatewayContext> => {
    const scope = requestScope.getStore() ?? { requestId: randomUUID(), logger: options.logger };
    const viewer = await viewerFromAuthorization(req.header('authorization'), options.jwtSecret);
    return { viewer, ...scope };
  };
}
