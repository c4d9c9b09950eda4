import { fileURLToPath } from 'node:url';
import { DEFAULT_QUERY_LIMITS, queryLimitsFrom, type QueryLimits } from '../../lib/queryLimits.js';
import { ConfigError, drainGraceFrom, logLevelFrom, parseBoolean, parsePort, type Env } from '../../lib/settings.js';

export { ConfigError };

/** The four subgraphs and their default ports. The name is the folder, the supergraph name and the compose service. */
export const SUBGRAPH_PORTS = { identity: 4001, transport: 4002, taxes: 4003, portal: 4004 } as const;
export type SubgraphName = keyof typeof SUBGRAPH_PORTS;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_PORTS) as SubgraphName[];

/** Where embedded databases live by default: `.data/` at the repository root. */
export const DEFAULT_PGLITE_DIR = fileURLToPath(new URL('../../.data/', import.meta.url));

export interface SubgraphConfig {
  name: SubgraphName;
  /** `<NAME>_PORT`; default 4001 identity, 4002 transport, 4003 taxes, 4004 portal. */
  port: number;
  /** `LISTEN_HOST`; default 127.0.0.1 (containers set 0.0.0.0). */
  host: string;
  /** `<NAME>_DATABASE_URL`: this agency's PostgreSQL database. Unset: embedded PGlite. */
  databaseUrl: string | undefined;
  /** `PGLITE_DIR`: parent folder of the embedded databases (one sub-folder per subgraph); "memory" keeps them in memory. Default `.data/`. */
  pgliteDir: string | undefined;
  /** `SEED_ON_START`: load the sample data at start. Default true on PGlite, false on PostgreSQL. */
  seedOnStart: boolean;
  /**
   * `GATEWAY_JWKS_URL`: the gateway's public keys, which verify the assertion every request must carry.
   * Default `http://127.0.0.1:<GATEWAY_PORT or 4000>/.well-known/jwks.json`; required when `NODE_ENV=production`.
   */
  gatewayJwksUrl: string;
  /**
   * This subgraph's own limits on one operation, as the gateway's (see `QueryLimits`), under
   * `SUBGRAPH_QUERY_MAX_DEPTH` (default 13: the gateway's 12, plus the `_entities` level it adds),
   * `SUBGRAPH_QUERY_MAX_ALIASES` (30), `SUBGRAPH_QUERY_MAX_COST` (5000), `SUBGRAPH_QUERY_MAX_TOKENS` (4000:
   * the planner's documents spell out what fragments abbreviate).
   */
  queryLimits: QueryLimits;
  /** `LOG_LEVEL`: pino level; default info. */
  logLevel: string;
  /** `DRAIN_GRACE_MS`: how long a stop lets the requests in flight finish; default 5000. */
  drainGraceMs: number;
  /**
   * `REDIS_URL` (as the gateway's: `redis://host:6379`) and `REDIS_KEY_PREFIX` (default `ventanilla:`):
   * the Redis the replicas of a subgraph tell each other through (the portal: changes its live
   * streams follow). Default none: one process, in memory.
   */
  redis: { url: string; keyPrefix: string } | undefined;
}

/** A subgraph's own limits by default: the gateway's, with room for what planning adds. */
export const DEFAULT_SUBGRAPH_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({ ...DEFAULT_QUERY_LIMITS, maxDepth: 13, maxTokens: 4000 });

/** GATEWAY_JWKS_URL, with the local gateway's as the development default. */
function gatewayJwksUrlFrom(env: Env): string {
  const url = env.GATEWAY_JWKS_URL;
  if (url) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new ConfigError(`GATEWAY_JWKS_URL must be an http(s) URL, not "${url}".`);
    return url;
  }
  if (env.NODE_ENV === 'production') throw new ConfigError("GATEWAY_JWKS_URL must be set when NODE_ENV is production: it is how a subgraph knows the gateway.");
  return `http://127.0.0.1:${parsePort(env.GATEWAY_PORT, 4000, 'GATEWAY_PORT')}/.well-known/jwks.json`;
}

function redisFrom(env: Env): SubgraphConfig['redis'] {
  const url = env.REDIS_URL;
  if (!url) return undefined;
  if (!URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol)) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, not "${url}".`);
  return { url, keyPrefix: env.REDIS_KEY_PREFIX ?? 'ventanilla:' };
}

/** Reads one subgraph's configuration from the environment (the only subgraph code that does). */
export function loadSubgraphConfig(name: SubgraphName, env: Env = process.env): SubgraphConfig {
  const prefix = name.toUpperCase();
  const databaseUrl = env[`${prefix}_DATABASE_URL`] || undefined;
  const pgliteDir = env.PGLITE_DIR === 'memory' ? undefined : env.PGLITE_DIR || DEFAULT_PGLITE_DIR;
  return {
    name,
    port: parsePort(env[`${prefix}_PORT`], SUBGRAPH_PORTS[name], `${prefix}_PORT`),
    host: env.LISTEN_HOST || '127.0.0.1',
    databaseUrl,
    pgliteDir,
    seedOnStart: parseBoolean(env.SEED_ON_START, databaseUrl === undefined, 'SEED_ON_START'),
    gatewayJwksUrl: gatewayJwksUrlFrom(env),
    queryLimits: queryLimitsFrom(env, 'SUBGRAPH_QUERY', DEFAULT_SUBGRAPH_QUERY_LIMITS),
    logLevel: logLevelFrom(env),
    drainGraceMs: drainGraceFrom(env),
    redis: redisFrom(env),
  };
}
