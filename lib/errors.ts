import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';

/** The gateway's: a subgraph could not answer; `extensions.serviceName` names it, the rest of the response stands. */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
/**
 * The gateway's: a subgraph answered an error without a deliberate code (none, or one outside
 * `DELIBERATE_CODES`); its message is replaced and logged, `extensions.serviceName` names the subgraph.
 */
export const SUBGRAPH_ERROR = 'SUBGRAPH_ERROR';
/** The gateway's: it serves no supergraph yet (starting) or any more (stopping); HTTP 503. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
/** The gateway's: the caller (or, anonymous, their address) spent their requests for now; HTTP 429 with `Retry-After`. */
export const RATE_LIMITED = 'RATE_LIMITED';
/** The gateway's: an anonymous caller sent an operation that is not a trusted document, where only those are served; HTTP 403. */
export const OPERATION_NOT_TRUSTED = 'OPERATION_NOT_TRUSTED';

/**
 * The codes a client may see in `extensions.code`, in the gateway's answers and the subgraphs' alike.
 * Anything else that escapes a resolver is a bug and is masked (see `maskUnexpectedError`).
 */
export const DELIBERATE_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  SUBGRAPH_UNAVAILABLE,
  SUBGRAPH_ERROR,
  SERVICE_UNAVAILABLE,
  RATE_LIMITED,
  OPERATION_NOT_TRUSTED,
  // Apollo Server's own request-level codes: they describe the request, not our internals.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function badUserInput(message: string, field?: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}), ...details } });
}

/** What the caller acted on changed meanwhile (another official moved it first): read it again. */
export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function forbidden(message = 'You may not see this citizen\'s records.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/**
 * A field that needs a signed-in caller was asked without one. The response stays HTTP 200, like any
 * field error: a subgraph answering 401 would make the gateway take it for an outage.
 */
export function unauthenticated(message = 'Sign in to do this.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** The request's token is missing its form, invalid or expired: the whole request fails with HTTP 401. */
export function invalidToken(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/**
 * The identity provider's keys cannot be fetched, so no token can be checked: HTTP 503, not a bad
 * token. The cause is logged by whoever catches it, never shown.
 */
export function signInUnavailable(cause: unknown): GraphQLError {
  return new GraphQLError('Sign-in cannot be checked right now: try again shortly.', {
    extensions: { code: SERVICE_UNAVAILABLE, http: { status: 503 } },
    originalError: cause instanceof Error ? cause : undefined,
  });
}

/**
 * Apollo Server refuses some requests with a 4xx and no code (an APQ `persistedQuery` of an unknown
 * version, or whose hash is not its query's): the client's mistake, described by Apollo's own message,
 * so BAD_REQUEST rather than a masked error.
 */
function isCodelessRequestRefusal(formatted: GraphQLFormattedError, error: unknown): boolean {
  // Read by shape: Apollo Server's GraphQLError may be another copy of the class than this module's (ESM and CommonJS).
  const refusal = error as { originalError?: unknown; extensions?: { code?: unknown; http?: { status?: unknown } } } | null;
  if (typeof refusal !== 'object' || refusal === null || refusal.originalError || formatted.path || refusal.extensions?.code !== undefined) return false;
  const status = refusal.extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Apollo Server's `formatError`: deliberate errors pass with their code; anything else is logged in
 * full and replaced by "Unexpected error", so that no SQL, stack or path reaches a client.
 */
export function maskUnexpectedError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isCodelessRequestRefusal(formatted, error)) return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && DELIBERATE_CODES.has(code)) {
      // Stack traces are for logs only, even for deliberate errors.
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'unexpected error');
    return {
      message: 'Unexpected error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
