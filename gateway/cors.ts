import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * What a browser page may send: Apollo Server's CSRF prevention lets through a request with a
 * content-type other than a form's, or with `apollo-require-preflight` (or `x-apollo-operation-name`):
 * a browser sends those cross-site only after a preflight this answers.
 */
const ALLOWED_HEADERS = ['content-type', 'authorization', 'x-purpose', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name', 'cache-control', 'last-event-id'];

/** What a page's script may read of an answer: the request id to quote, when to come back after a refusal, how old a cached answer is. */
const EXPOSED_HEADERS = ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after', 'age'];

/** How long a browser may reuse one preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * The CORS answer for `origins` (see `GatewayConfig.corsOrigins`: exact origins, or `scheme://host:*`
 * for any port of a host). A page of another origin gets no Access-Control-Allow-Origin, so its
 * browser withholds the answer; a preflight is answered 204 either way, without the headers when refused.
 * Tokens travel in `authorization`, never in cookies, so credentials are not allowed.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler[] {
  const allowed = origins.map(originMatcher);
  const answered = cors({
    origin: (origin, answer) => answer(null, origin !== undefined && allowed.some((matches) => matches(origin))),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
  // `cors` hands a refused origin's preflight on: it is answered here, not taken for a GraphQL request.
  const refusedPreflight: RequestHandler = (req, res, next) => (req.method === 'OPTIONS' ? void res.status(204).end() : next());
  return [answered, refusedPreflight];
}

function originMatcher(allowed: string): (origin: string) => boolean {
  if (!allowed.endsWith(':*')) return (origin) => origin === allowed;
  const host = allowed.slice(0, -2);
  // The host itself on its default port, or with any explicit port.
  return (origin) => origin === host || (origin.startsWith(`${host}:`) && /^\d{1,5}$/.test(origin.slice(host.length + 1)));
}

/** The header Apollo Server's CSRF prevention takes as proof that a browser asked for a preflight first. */
const PREFLIGHT_PROOF = 'apollo-require-preflight';

/**
 * Apollo Server refuses a GET or a form-typed POST without a header a browser could only send after a
 * preflight: that stops a page of another site from making a visitor's browser run an operation
 * (`<img src>`, `<form>`). A request that says it comes from no such page needs no proof: browsers
 * send `Sec-Fetch-Site` with every request (and `Origin` with every cross-origin one but a plain GET),
 * so a request with neither, or one a browser marks as same-origin or typed by the user, is let through
 * as if preflighted. That lets scripts, servers and the GraphQL over HTTP GET requests work untouched.
 */
export function notFromAnotherSite(): RequestHandler {
  return (req, _res, next) => {
    const site = req.headers['sec-fetch-site'];
    const fromNoPage = site === undefined ? req.headers.origin === undefined : site === 'same-origin' || site === 'none';
    if (fromNoPage) req.headers[PREFLIGHT_PROOF] = 'true';
    next();
  };
}
