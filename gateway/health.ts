import { HEALTH_CHECK_QUERY } from '@apollo/gateway';
import type { RequestHandler } from 'express';
import type { SubgraphEndpoint } from './supergraph.js';
import type { BreakerState } from './traffic/breaker.js';
import type { SubgraphFetch } from './traffic/chain.js';

/** What `/health` says, with its HTTP status. */
export type HealthReport =
  | { httpStatus: 503; body: { status: 'starting' } }
  | { httpStatus: 200; body: { status: 'ok'; subgraphs: Record<string, 'up'>; circuits: Record<string, BreakerState> } }
  | { httpStatus: 503; body: { status: 'unavailable'; down: string[]; subgraphs: Record<string, 'up' | 'down'>; circuits: Record<string, BreakerState> } };

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
 * open is down, its ping failing at once.
 */
export function healthRoute(
  subgraphs: () => readonly SubgraphEndpoint[] | null,
  traffic: SubgraphFetch,
  circuits: () => Record<string, BreakerState>,
): RequestHandler {
  let cached: { at: number; of: readonly SubgraphEndpoint[]; report: Promise<HealthReport> } | undefined;
  return async (_req, res) => {
    const current = subgraphs();
    let report: HealthReport;
    if (!current) {
      report = { httpStatus: 503, body: { status: 'starting' } };
    } else {
      // A hot reload brings a new list: a cached answer about the old one would be wrong.
      if (!cached || cached.of !== current || Date.now() - cached.at > CACHE_MS) {
        cached = { at: Date.now(), of: current, report: pingAll(current, traffic, circuits) };
      }
      report = await cached.report;
    }
    res.status(report.httpStatus).set('cache-control', 'no-store').json(report.body);
  };
}

async function pingAll(endpoints: readonly SubgraphEndpoint[], traffic: SubgraphFetch, circuits: () => Record<string, BreakerState>): Promise<HealthReport> {
  const answers = await Promise.all(endpoints.map(async (endpoint) => [endpoint.name, await answersTypename(endpoint, traffic)] as const));
  const subgraphs = Object.fromEntries(answers.map(([name, up]) => [name, up ? ('up' as const) : ('down' as const)]));
  const down = answers.filter(([, up]) => !up).map(([name]) => name);
  const known = circuits();
  const states = Object.fromEntries(endpoints.map(({ name }) => [name, known[name] ?? ('closed' as const)]));
  if (down.length === 0) return { httpStatus: 200, body: { status: 'ok', subgraphs: subgraphs as Record<string, 'up'>, circuits: states } };
  return { httpStatus: 503, body: { status: 'unavailable', down, subgraphs, circuits: states } };
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
