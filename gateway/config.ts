import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SUPERGRAPH_FILE } from '../schema/compose.js';
import { jwtSecretFrom } from '../subgraphs/shared/config.js';
import { ConfigError, logLevelFrom, parseBoolean, parsePort, parseWholeNumber } from '../lib/settings.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../lib/queryLimits.js';
import type { SupergraphSource } from './supergraph.js';

export { ConfigError };

/** Everything the gateway process is configured with. */
export interface GatewayConfig {
  /**
   * `--supergraph <file>` or `SUPERGRAPH_PATH` (relative to the working directory); default
   * `schema/supergraph.graphql` of this repository. With `SUPERGRAPH_WATCH` (default true) the file
   * is hot reloaded: the gateway serves each valid version written to it.
   */
  supergraph: Extract<SupergraphSource, { kind: 'file' }>;
  /** `--port <n>` or `GATEWAY_PORT`; default 4000 (0: any free port). */
  port: number;
  /** `LISTEN_HOST`; default 127.0.0.1 (containers set 0.0.0.0). */
  host: string;
  /** `JWT_SECRET`: HS256 secret shared with the subgraphs. Default: the development secret (refused in production). */
  jwtSecret: string;
  /**
   * `SUBGRAPH_URL_<NAME>`: replaces the routing URL the supergraph gives subgraph `<name>` (e.g.
   * `SUBGRAPH_URL_IDENTITY=http://identity:4001/graphql` in containers). Keyed by the lower-case name.
   * Default: none, the supergraph's URLs are used.
   */
  subgraphUrls: Readonly<Record<string, string>>;
  /**
   * `SUBGRAPH_TIMEOUT_MS`: how long one fetch to a subgraph may take before that subgraph counts as
   * unavailable for the request (its fields null, the rest of the answer kept); default 10000.
   */
  subgraphTimeoutMs: number;
  /**
   * How much one operation may ask for, checked before it is planned (see `QueryLimits`):
   * `QUERY_MAX_DEPTH` (default 12), `QUERY_MAX_ALIASES` (default 30), `QUERY_MAX_COST` (default 5000),
   * `QUERY_MAX_TOKENS` (default 2000).
   */
  queryLimits: QueryLimits;
  /** `LOG_LEVEL`: pino level; default info. */
  logLevel: string;
}

type Env = Record<string, string | undefined>;

const SUBGRAPH_URL_PREFIX = 'SUBGRAPH_URL_';

/**
 * Reads the gateway's configuration from the command line and the environment (the only gateway code
 * that does); a flag wins over its variable. Throws ConfigError with a message naming the bad setting.
 */
export function loadGatewayConfig(argv: string[] = process.argv.slice(2), env: Env = process.env): GatewayConfig {
  let flags: { supergraph?: string; port?: string };
  try {
    flags = parseArgs({
      args: argv,
      options: { supergraph: { type: 'string' }, port: { type: 'string' } },
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Usage: gateway [--supergraph <file>] [--port <n>]`);
  }

  const path = flags.supergraph ?? env.SUPERGRAPH_PATH;
  const logLevel = logLevelFrom(env);

  return {
    supergraph: {
      kind: 'file',
      // The committed file, found from the module: the default whatever the working directory.
      path: path ? resolve(path) : DEFAULT_SUPERGRAPH_FILE,
      watch: parseBoolean(env.SUPERGRAPH_WATCH, true, 'SUPERGRAPH_WATCH'),
    },
    port: flags.port !== undefined ? parsePort(flags.port, 4000, '--port') : parsePort(env.GATEWAY_PORT, 4000, 'GATEWAY_PORT'),
    host: env.LISTEN_HOST || '127.0.0.1',
    jwtSecret: jwtSecretFrom(env),
    subgraphUrls: subgraphUrlsFrom(env),
    subgraphTimeoutMs: parseWholeNumber(env.SUBGRAPH_TIMEOUT_MS, DEFAULT_SUBGRAPH_TIMEOUT_MS, 'SUBGRAPH_TIMEOUT_MS', 1, 600_000),
    queryLimits: queryLimitsFrom(env),
    logLevel,
  };
}

/** The default of `SUBGRAPH_TIMEOUT_MS`. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

/** Each limit's variable and the largest value it accepts: a limit past these protects nothing. */
const QUERY_LIMIT_VARIABLES: Record<keyof QueryLimits, { variable: string; max: number }> = {
  maxDepth: { variable: 'QUERY_MAX_DEPTH', max: 100 },
  maxAliases: { variable: 'QUERY_MAX_ALIASES', max: 10_000 },
  maxCost: { variable: 'QUERY_MAX_COST', max: 100_000_000 },
  maxTokens: { variable: 'QUERY_MAX_TOKENS', max: 1_000_000 },
};

function queryLimitsFrom(env: Env): QueryLimits {
  const limits = { ...DEFAULT_QUERY_LIMITS };
  for (const [key, { variable, max }] of Object.entries(QUERY_LIMIT_VARIABLES) as [keyof QueryLimits, { variable: string; max: number }][]) {
    limits[key] = parseWholeNumber(env[variable], DEFAULT_QUERY_LIMITS[key], variable, 1, max);
  }
  return limits;
}

function subgraphUrlsFrom(env: Env): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(SUBGRAPH_URL_PREFIX) || !value) continue;
    const parsed = URL.canParse(value) ? new URL(value) : null;
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      throw new ConfigError(`${variable} must be an http(s) URL, not "${value}".`);
    }
    urls[variable.slice(SUBGRAPH_URL_PREFIX.length).toLowerCase()] = value;
  }
  return urls;
}

/** The key of subgraph `name` in `subgraphUrls`: variable names cannot hold every character a subgraph name can (e.g. "-"). */
export function overrideKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/** The URL to route subgraph `name` to: its override when one is configured, else the supergraph's. */
export function routingUrl(subgraphUrls: Readonly<Record<string, string>>, name: string, supergraphUrl: string): string {
  return subgraphUrls[overrideKey(name)] ?? supergraphUrl;
}
