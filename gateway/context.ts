import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import { parsePurpose, PURPOSE_HEADER, type Caller } from '../lib/caller.js';
import { requestIdFrom } from '../lib/http.js';
import type { Logger } from '../lib/logger.js';
import type { SignIn } from '../lib/signIn.js';

/** What every resolver, plugin and data source of the gateway knows about the request. */
export interface GatewayContext {
  /** The verified caller, or null for an anonymous request (public data only). */
  caller: Caller | null;
  /** Why the caller reads (`x-purpose`), or null when they said nothing. */
  purpose: string | null;
  /** The caller's `x-request-id` when it is a sensible one, else a new UUID; sent to subgraphs and back to the caller. */
  requestId: string;
  /** A logger bound to this request. */
  logger: Logger;
  /**
   * The caller asked for a fresh answer (`Cache-Control: no-cache` or `no-store`, or `Pragma:
   * no-cache`): it is not read from the response cache, nor shares a fetch with another request.
   */
  fresh?: boolean;
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

/** Decides whether a request with a verified caller may go on (e.g. rate limits); throws to refuse it. */
export type Admission = (req: Request, res: Response, caller: Caller | null) => Promise<void>;

/**
 * Apollo Server's `context` function: verifies the bearer token (see `SignIn`) and reads the stated
 * purpose. No token: anonymous. A bad or expired one fails the whole request with UNAUTHENTICATED
 * (HTTP 401), never silently anonymous; a malformed purpose, with BAD_REQUEST (HTTP 400). Then
 * `admit` has its say, knowing who is asking.
 */
export function contextBuilder(options: { signIn: SignIn; logger: Logger; admit?: Admission }) {
  return async ({ req, res }: { req: Request; res: Response }): Promise<GatewayContext> => {
    const scope = requestScope.getStore() ?? { requestId: randomUUID(), logger: options.logger };
    const stated = parsePurpose(req.header(PURPOSE_HEADER));
    if ('problem' in stated) throw new GraphQLError(stated.problem, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
    let caller: Caller | null;
    try {
      caller = await options.signIn.callerOf(req.header('authorization'));
    } catch (error) {
      const cause = error instanceof GraphQLError ? error.originalError : undefined;
      if (cause) scope.logger.error({ err: cause }, 'sign-in could not be checked');
      throw error;
    }
    await options.admit?.(req, res, caller);
    return { caller, purpose: stated.purpose, fresh: asksForFresh(req), ...scope };
  };
}

function asksForFresh(req: Request): boolean {
  return /(^|,)\s*(no-cache|no-store)\s*(,|$)/i.test(req.header('cache-control') ?? '') || /no-cache/i.test(req.header('pragma') ?? '');
}
