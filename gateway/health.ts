import { HEALTH_CHECK_QUERY } from '@apollo/gateway';
import type { RequestHandler } from 'express';
import type { RateLimitReport } from './rateLimit.js';
import type { SubgraphEndpoint, SupergraphReport } from './supergraph.js';
import type { BreakerState } from './traffic/breaker.js';
import type { SubgraphFetch } from './traffic/chain.js';

/** The state shared by every replica: where it lives, and the rate limits that depend on it. */
export interface SharedStateReport {
  /** `memory`: this process's own (no `REDIS_URL`); `down`: Redis cannot be reached, and the gateway serves without it. */
  redis: 'memory' | 'up' | 'down';
  rateLimits: RateLimitReport;
}

interface Serving extends SharedStateReport {
  subgraphs: Record<string, 'up' | 'down'>;
  circuits: Record<string, BreakerState>;
  /** Which version of the registry's supergraph is served, and the last one refused; absent for other sources. */
  supergraph?: SupergraphReport;
}

/**
 * What `/health` says, with its HTTP status. `degraded`: every subgraph answers but Redis does not,
 * so caches miss and rate limits fail open; the gateway serves every request, hence 200.
 */
export type HealthReport =
  | { httpStatus: 503; body: { status: 'starting' } }
  | { httpStatus: 200; body: { status: 'ok' | 'degraded' } & Serving }
  | { httpStatus: 503; body: { status: 'unavailable'; down: string[] } & Serving };

/** How long one round of pings answers every probe: orchestrators and load balancers probe often. */
const CACHE_MS = 1000;
/** A subgraph slower than this to answer `{ __typename }` counts as down. */
const PING_TIMEOUT_MS = 2000;

/**
 * `GET /health`: 503 "starting" until a supergraph is loaded; then 200 only when every subgraph of the
 * schema being served answers a `{ __typename }` query, else 503 naming those that do not.
 * `subgraphs()` returns null while no schema is loaded. Pings go through `traffic`, as every fetch
 * does: subgraphs answer nothing without the gateway's assertion. `circuits` tells each subgraph's
 * circuit breaker state (closed, open, half-open), also in the report; a subgraph whose circuit is
 * open is down, its ping failing at once. `shared` tells how the state shared with other replicas
 * fares (see `SharedStateReport`). `supergraph` tells the version served (see `SupergraphReport`).
 */
export function healthRoute(
  subgraphs: () => readonly SubgraphEndpoint[] | null,
  traffic: SubgraphFetch,
  circuits: () => Record<string, BreakerState>,
  shared: () => SharedStateReport,
  supergraph: () => SupergraphReport | undefined,
): RequestHandler {
  let cached: { at: number; of: readonly SubgraphEndpoint[]; pings: Promise<Pings> } | undefined;
  return async (_req, res) => {
    const current = subgraphs();
    let report: HealthReport;
    if (!current) {
      report = { httpStatus: 503, body: { status: 'starting' } };
    } else {
      // A hot reload brings a new list: a cached answer about the old one would be wrong.
      if (!cached || cached.of !== current || Date.now() - cached.at > CACHE_MS) {
        cached = { at: Date.now(), of: current, pings: pingAll(current, traffic) };
      }
      // Only the pings are cached: circuits, Redis and the supergraph's version are told as they are now.
      report = reportOf(current, await cached.pings, circuits(), shared(), supergraph());
    }
    res.status(report.httpStatus).set('cache-control', 'no-store').json(report.body);
  };
}

/** Whether each subgraph answered its ping, by name. */
type Pings = Record<string, boolean>;

async function pingAll(endpoints: readonly SubgraphEndpoint[], traffic: SubgraphFetch): Promise<Pings> {
  return Object.fromEntries(await Promise.all(endpoints.map(async (endpoint) => [endpoint.name, await answersTypename(endpoint, traffic)] as const)));
}

function reportOf(
  endpoints: readonly SubgraphEndpoint[],
  pings: Pings,
  circuits: Record<string, BreakerState>,
  shared: SharedStateReport,
  supergraph: SupergraphReport | undefined,
): HealthReport {
  const subgraphs = Object.fromEntries(endpoints.map(({ name }) => [name, pings[name] ? ('up' as const) : ('down' as const)]));
  const down = endpoints.filter(({ name }) => !pings[name]).map(({ name }) => name);
  const serving: Serving = {
    subgraphs,
    circuits: Object.fromEntries(endpoints.map(({ name }) => [name, circuits[name] ?? ('closed' as const)])),
    ...shared,
    ...(supergraph ? { supergraph } : {}),
  };
  if (down.length === 0) return { httpStatus: 200, body: { status: serving.redis === 'down' ? 'degraded' : 'ok', ...serving } };
  return { httpStatus: 503, body: { status: 'unavailable', down, ...serving } };
}

async function answersTypename({ name, url }: SubgraphEndpoint, traffic: SubgraphFetch): Promise<boolean> {
  try {
    const response = await traffic({
      subgraph: name,
      url,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: HEALTH_CHECK_QUERY }),
        signal: AbortSignal.timeout(PING_TIMEOUT_MS),
      },
      context: null,
    });
    const body = (await response.json()) as { data?: { __typename?: unknown } };
    return response.ok && body.data?.__typename === 'Query';
  } catch {
    return false;
  }
}
