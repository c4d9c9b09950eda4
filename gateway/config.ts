import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import express from 'express';
import { developmentIssuerUrl, TOKEN_AUDIENCE } from '../issuer/config.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../lib/keys.js';
import { queryLimitsFrom, type QueryLimits } from '../lib/queryLimits.js';
import { ConfigError, drainGraceFrom, logLevelFrom, parseBoolean, parsePort, parseWholeNumber, type Env } from '../lib/settings.js';
import type { SignInOptions } from '../lib/signIn.js';
import { DEFAULT_SUPERGRAPH_FILE } from '../schema/compose.js';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rateLimit.js';
import type { SupergraphSource } from './supergraph.js';

export { ConfigError };

/** Everything the gateway process is configured with. */
export interface GatewayConfig {
  /**
   * `SUPERGRAPH_SOURCE`: where the supergraph comes from, `file` (default) or `registry`.
   * - `file`: `--supergraph <file>` or `SUPERGRAPH_PATH` (relative to the working directory); default
   *   `schema/supergraph.graphql` of this repository. With `SUPERGRAPH_WATCH` (default true) the file
   *   is hot reloaded: the gateway serves each valid version written to it.
   * - `registry`: the schema registry at `REGISTRY_URL` (default `http://127.0.0.1:4020`), asked every
   *   `REGISTRY_POLL_MS` (default 10000, 100 to 600000) and at once on each of its notices on Redis
   *   (see `SupergraphSource`).
   */
  supergraph: Extract<SupergraphSource, { kind: 'file' | 'registry' }>;
  /**
   * `USAGE_FLUSH_MS`: with the registry source, how often the operations served since the last report
   * are sent to the registry (`POST <REGISTRY_URL>/usage`); default 10000, 100 to 600000.
   */
  usageFlushMs: number;
  /** `--port <n>` or `GATEWAY_PORT`; default 4000 (0: any free port). */
  port: number;
  /** `LISTEN_HOST`; default 127.0.0.1 (containers set 0.0.0.0). */
  host: string;
  /**
   * Who signs callers' tokens and what they must say:
   * - `OIDC_ISSUER`: the identity provider's issuer URL (its discovery document gives the keys).
   *   Default: the development issuer, `http://127.0.0.1:4010` (`ISSUER_URL`/`ISSUER_PORT`); required when
   *   `NODE_ENV=production`, where the development issuer is refused even when named.
   * - `OIDC_JWKS_URL`: its JWKS URL, to skip discovery; default: the one discovery names.
   * - `TOKEN_AUDIENCE`: the `aud` tokens must carry; default `ventanilla`.
   * - `TOKEN_ALGORITHMS`: the accepted algorithms, comma-separated, among ES256, RS256, EdDSA; default all three.
   * - `TOKEN_CLOCK_SKEW_SECONDS`: how far `exp`, `nbf` and `iat` may be off; default 60.
   */
  signIn: SignInOptions;
  /**
   * `GATEWAY_KEYS_FILE`: the gateway's private key set (JSON `{"keys": [<private JWK>, ...]}`; the first
   * signs assertions, all are published). Default `.data/gateway/keys.json`, made at first start;
   * required, and never made, when `NODE_ENV=production` (every replica must sign with the same keys).
   */
  keysFile: string;
  /** `NODE_ENV=production`. */
  production: boolean;
  /**
   * `SUBGRAPH_URL_<NAME>`: replaces the routing URL the supergraph gives subgraph `<name>` (e.g.
   * `SUBGRAPH_URL_IDENTITY=http://identity:4001/graphql` in containers). Keyed by the lower-case name.
   * Default: none, the supergraph's URLs are used.
   */
  subgraphUrls: Readonly<Record<string, string>>;
  /**
   * `<NAME>_PORT` (the variable a subgraph listens on): a subgraph `<name>` without `SUBGRAPH_URL_<NAME>`
   * is routed to the supergraph's URL with this port, so that moving a subgraph moves its route too.
   * Keyed like `subgraphUrls`; only values that are ports (1 to 65535) count: others (e.g. Docker's
   * `REDIS_PORT=tcp://...`) are not about a subgraph. Default: none, the supergraph's ports are used.
   */
  subgraphPorts: Readonly<Record<string, number>>;
  /**
   * `CORS_ORIGINS`: the origins whose pages may call the gateway from a browser, comma-separated; an
   * entry may end in `:*` for any port (e.g. `http://localhost:*`). Default outside production:
   * `http://localhost:*,http://127.0.0.1:*,http://[::1]:*`; default in production: none.
   */
  corsOrigins: readonly string[];
  /**
   * `SUBGRAPH_TIMEOUT_MS`: how long one fetch to a subgraph may take before that subgraph counts as
   * unavailable for the request (its fields null, the rest of the answer kept); default 10000.
   */
  subgraphTimeoutMs: number;
  /**
   * `SUBGRAPH_TIMEOUT_MS_<NAME>`: subgraph `<name>`'s own timeout, retries included, in place of
   * `SUBGRAPH_TIMEOUT_MS` (e.g. `SUBGRAPH_TIMEOUT_MS_TAXES=20000`). Keyed like `subgraphUrls`. Default: none.
   */
  subgraphTimeoutsMs: Readonly<Record<string, number>>;
  /** How the gateway treats its traffic to subgraphs (see `TrafficSettings`). */
  traffic: TrafficSettings;
  /**
   * How much one operation may ask for, checked before it is planned (see `QueryLimits`):
   * `QUERY_MAX_DEPTH` (default 12), `QUERY_MAX_ALIASES` (default 30), `QUERY_MAX_COST` (default 5000),
   * `QUERY_MAX_TOKENS` (default 2000).
   */
  queryLimits: QueryLimits;
  /**
   * Where state shared by every replica lives (persisted queries today):
   * - `REDIS_URL`: e.g. `redis://redis:6379`; default none, this process's memory (one replica).
   * - `REDIS_KEY_PREFIX`: put before every key, so that platforms can share one Redis; default `ventanilla:`.
   */
  redis: { url: string | undefined; keyPrefix: string };
  /**
   * `TRUSTED_DOCUMENTS`: files and folders (their `*.graphql` files) of operations the platform vouches
   * for, comma-separated, relative to the working directory: registered at start in the shared store
   * under their SHA-256, so that clients may send the hash alone. Default none (`npm start` and
   * docker-compose.yml name the contract's folder).
   */
  trustedDocuments: string[];
  /**
   * `ANONYMOUS_OPERATIONS`: `any`, or `trusted` for an anonymous caller to be refused
   * (OPERATION_NOT_TRUSTED, HTTP 403) any operation that is not a trusted document; default `any`.
   * `trusted` needs `TRUSTED_DOCUMENTS`.
   */
  anonymousOperations: 'any' | 'trusted';
  /**
   * `RESPONSE_CACHE`: anonymous queries' answers are kept in the shared store for as long as the
   * subgraphs' `@cacheControl` hints say (the catalogue's: 60 s), and served from it; default true.
   */
  responseCache: boolean;
  /**
   * How many requests one client may make (see `RateLimitSettings`): `RATE_LIMIT_ADDRESS_PER_MINUTE`
   * (anonymous, per client address; default 600) and `RATE_LIMIT_CALLER_PER_MINUTE` (per signed-in
   * caller; default 1200); 0 switches one off.
   */
  rateLimits: RateLimitSettings;
  /**
   * `TRUST_PROXY`: which proxies in front of the gateway may say who the client is (`X-Forwarded-For`),
   * as Express's "trust proxy" reads it: a number of hops, or addresses and subnets, comma-separated
   * (`loopback`, `10.0.0.0/8`, ...). Default none: the client is the connection's address.
   */
  trustProxy: number | string[] | false;
  /** `LOG_LEVEL`: pino level; default info. */
  logLevel: string;
  /** `DRAIN_GRACE_MS`: how long a stop lets the requests in flight finish; default 5000. */
  drainGraceMs: number;
}


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
  const production = env.NODE_ENV === 'production';

  return {
    supergraph: supergraphFrom(env, path),
    usageFlushMs: parseWholeNumber(env.USAGE_FLUSH_MS, 10_000, 'USAGE_FLUSH_MS', 100, 600_000),
    port: flags.port !== undefined ? parsePort(flags.port, 4000, '--port') : parsePort(env.GATEWAY_PORT, 4000, 'GATEWAY_PORT'),
    host: env.LISTEN_HOST || '127.0.0.1',
    signIn: signInFrom(env, production),
    keysFile: keysFileFrom(env, production),
    production,
    subgraphUrls: subgraphUrlsFrom(env),
    subgraphPorts: subgraphPortsFrom(env),
    corsOrigins: corsOriginsFrom(env, production),
    redis: redisFrom(env),
    ...trustedDocumentsFrom(env),
    responseCache: parseBoolean(env.RESPONSE_CACHE, true, 'RESPONSE_CACHE'),
    rateLimits: {
      addressPerMinute: parseWholeNumber(env.RATE_LIMIT_ADDRESS_PER_MINUTE, DEFAULT_RATE_LIMITS.addressPerMinute, 'RATE_LIMIT_ADDRESS_PER_MINUTE', 0, 10_000_000),
      callerPerMinute: parseWholeNumber(env.RATE_LIMIT_CALLER_PER_MINUTE, DEFAULT_RATE_LIMITS.callerPerMinute, 'RATE_LIMIT_CALLER_PER_MINUTE', 0, 10_000_000),
    },
    trustProxy: trustProxyFrom(env),
    subgraphTimeoutMs: parseWholeNumber(env.SUBGRAPH_TIMEOUT_MS, DEFAULT_SUBGRAPH_TIMEOUT_MS, 'SUBGRAPH_TIMEOUT_MS', 1, 600_000),
    subgraphTimeoutsMs: subgraphTimeoutsFrom(env),
    traffic: trafficFrom(env),
    queryLimits: queryLimitsFrom(env, 'QUERY'),
    logLevel,
    drainGraceMs: drainGraceFrom(env),
  };
}

function supergraphFrom(env: Env, path: string | undefined): GatewayConfig['supergraph'] {
  const source = env.SUPERGRAPH_SOURCE || 'file';
  if (source === 'file') {
    return {
      kind: 'file',
      // The committed file, found from the module: the default whatever the working directory.
      path: path ? resolve(path) : DEFAULT_SUPERGRAPH_FILE,
      watch: parseBoolean(env.SUPERGRAPH_WATCH, true, 'SUPERGRAPH_WATCH'),
    };
  }
  if (source !== 'registry') throw new ConfigError(`SUPERGRAPH_SOURCE must be file or registry, not "${source}".`);
  if (path) throw new ConfigError('SUPERGRAPH_SOURCE=registry reads no file: drop --supergraph and SUPERGRAPH_PATH, or the registry.');
  const url = env.REGISTRY_URL || 'http://127.0.0.1:4020';
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new ConfigError(`REGISTRY_URL must be an http(s) URL, not "${url}".`);
  // Routes are appended to it: `http://registry/` and `http://registry` name the same ones.
  return { kind: 'registry', url: url.replace(/\/+$/, ''), pollMs: parseWholeNumber(env.REGISTRY_POLL_MS, 10_000, 'REGISTRY_POLL_MS', 100, 600_000) };
}

/** Where the gateway keeps its key set in development. */
export const DEFAULT_GATEWAY_KEYS_FILE = fileURLToPath(new URL('../.data/gateway/keys.json', import.meta.url));

export function keysFileFrom(env: Env, production: boolean): string {
  if (env.GATEWAY_KEYS_FILE) return resolve(env.GATEWAY_KEYS_FILE);
  if (production) throw new ConfigError('GATEWAY_KEYS_FILE must be set when NODE_ENV is production: every replica signs with the same keys.');
  return DEFAULT_GATEWAY_KEYS_FILE;
}

export function signInFrom(env: Env, production: boolean): SignInOptions {
  if (production && !env.OIDC_ISSUER) {
    throw new ConfigError('OIDC_ISSUER must be set when NODE_ENV is production: the development issuer is for development only.');
  }
  const issuer = env.OIDC_ISSUER || developmentIssuerUrl(env);
  for (const [variable, value] of [['OIDC_ISSUER', issuer], ['OIDC_JWKS_URL', env.OIDC_JWKS_URL]] as const) {
    if (value && (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))) throw new ConfigError(`${variable} must be an http(s) URL, not "${value}".`);
  }
  const algorithms = (env.TOKEN_ALGORITHMS || SIGNING_ALGORITHMS.join(',')).split(',').map((name) => name.trim());
  const refused = algorithms.find((name) => !SIGNING_ALGORITHMS.includes(name as SigningAlgorithm));
  if (refused !== undefined) {
    throw new ConfigError(`TOKEN_ALGORITHMS must list asymmetric algorithms among ${SIGNING_ALGORITHMS.join(', ')}, not "${refused}".`);
  }
  return {
    issuer,
    jwksUrl: env.OIDC_JWKS_URL || undefined,
    audience: env.TOKEN_AUDIENCE || TOKEN_AUDIENCE,
    algorithms: algorithms as SigningAlgorithm[],
    clockSkewSeconds: parseWholeNumber(env.TOKEN_CLOCK_SKEW_SECONDS, 60, 'TOKEN_CLOCK_SKEW_SECONDS', 0, 600),
    refuseDevelopmentIssuer: production,
  };
}

/** The default of `SUBGRAPH_TIMEOUT_MS`. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

/** Retries, circuit breakers and de-duplication of the fetches to subgraphs (see `traffic/`). */
export interface TrafficSettings {
  /** `SUBGRAPH_RETRIES`: retries of a query whose fetch failed to connect or got 502/503/504; default 2 (0: none). */
  retries: number;
  /**
   * `SUBGRAPH_RETRY_BUDGET_PERCENT`: retries may add at most this share of the fetches sent to one
   * subgraph over the last 10 s (at least 3 are always allowed); default 10.
   */
  retryBudgetPercent: number;
  /** `SUBGRAPH_BREAKER_FAILURES`: consecutive failed fetches that open a subgraph's circuit; default 5. */
  breakerFailures: number;
  /** `SUBGRAPH_BREAKER_COOLDOWN_MS`: how long an open circuit fails fetches at once before one probe; default 10000. */
  breakerCooldownMs: number;
  /** `SUBGRAPH_DEDUP`: identical queries in flight to a subgraph are sent once (a signed-in caller's within one request only, see traffic/dedup.ts); default true. */
  dedup: boolean;
}

export const DEFAULT_TRAFFIC_SETTINGS: TrafficSettings = { retries: 2, retryBudgetPercent: 10, breakerFailures: 5, breakerCooldownMs: 10_000, dedup: true };

function trafficFrom(env: Env): TrafficSettings {
  const defaults = DEFAULT_TRAFFIC_SETTINGS;
  return {
    retries: parseWholeNumber(env.SUBGRAPH_RETRIES, defaults.retries, 'SUBGRAPH_RETRIES', 0, 10),
    retryBudgetPercent: parseWholeNumber(env.SUBGRAPH_RETRY_BUDGET_PERCENT, defaults.retryBudgetPercent, 'SUBGRAPH_RETRY_BUDGET_PERCENT', 0, 100),
    breakerFailures: parseWholeNumber(env.SUBGRAPH_BREAKER_FAILURES, defaults.breakerFailures, 'SUBGRAPH_BREAKER_FAILURES', 1, 1000),
    breakerCooldownMs: parseWholeNumber(env.SUBGRAPH_BREAKER_COOLDOWN_MS, defaults.breakerCooldownMs, 'SUBGRAPH_BREAKER_COOLDOWN_MS', 1, 600_000),
    dedup: parseBoolean(env.SUBGRAPH_DEDUP, defaults.dedup, 'SUBGRAPH_DEDUP'),
  };
}

const SUBGRAPH_TIMEOUT_PREFIX = 'SUBGRAPH_TIMEOUT_MS_';

function subgraphTimeoutsFrom(env: Env): Record<string, number> {
  const timeouts: Record<string, number> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(SUBGRAPH_TIMEOUT_PREFIX) || !value) continue;
    timeouts[overrideKey(variable.slice(SUBGRAPH_TIMEOUT_PREFIX.length))] = parseWholeNumber(value, DEFAULT_SUBGRAPH_TIMEOUT_MS, variable, 1, 600_000);
  }
  return timeouts;
}

export function subgraphUrlsFrom(env: Env): Record<string, string> {
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

const PORT_VARIABLE = /^(.+)_PORT$/;

export function subgraphPortsFrom(env: Env): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const [variable, value] of Object.entries(env)) {
    const name = PORT_VARIABLE.exec(variable)?.[1];
    // The gateway's own port is no subgraph's.
    if (!name || variable === 'GATEWAY_PORT' || !value || !/^\d{1,5}$/.test(value)) continue;
    const port = Number(value);
    if (port >= 1 && port <= 65535) ports[overrideKey(name)] = port;
  }
  return ports;
}

/** The origins of `CORS_ORIGINS` when it is not set outside production: pages served from this machine. */
export const DEVELOPMENT_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'];

function corsOriginsFrom(env: Env, production: boolean): string[] {
  if (env.CORS_ORIGINS === undefined) return production ? [] : DEVELOPMENT_CORS_ORIGINS;
  const origins = env.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    const exact = origin.endsWith(':*') ? origin.slice(0, -2) : origin;
    if (!URL.canParse(exact) || !/^https?:$/.test(new URL(exact).protocol) || new URL(exact).origin !== exact) {
      throw new ConfigError(`CORS_ORIGINS must list origins such as https://app.example.org or http://localhost:*, not "${origin}".`);
    }
  }
  return origins;
}

/** The key of subgraph `name` in `subgraphUrls`: variable names cannot hold every character a subgraph name can (e.g. "-"). */
export function overrideKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/**
 * The URL to route subgraph `name` to: its override when one is configured, else the supergraph's,
 * on the subgraph's configured port when there is one (see `GatewayConfig.subgraphPorts`).
 */
export function routingUrl(
  subgraphUrls: Readonly<Record<string, string>>,
  name: string,
  supergraphUrl: string,
  subgraphPorts: Readonly<Record<string, number>> = {},
): string {
  const key = overrideKey(name);
  const override = subgraphUrls[key];
  if (override !== undefined) return override;
  const port = subgraphPorts[key];
  if (port === undefined || !URL.canParse(supergraphUrl)) return supergraphUrl;
  const url = new URL(supergraphUrl);
  url.port = String(port);
  return url.toString();
}

export function redisFrom(env: Env): GatewayConfig['redis'] {
  const url = env.REDIS_URL || undefined;
  if (url && (!URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol))) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, not "${url}".`);
  return { url, keyPrefix: env.REDIS_KEY_PREFIX ?? 'ventanilla:' };
}

function trustProxyFrom(env: Env): GatewayConfig['trustProxy'] {
  const value = env.TRUST_PROXY?.trim();
  if (!value || /^(0|false|no)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) return parseWholeNumber(value, 0, 'TRUST_PROXY', 0, 100);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    // Express compiles the list when it is set: the same check the gateway will meet at start.
    express().set('trust proxy', entries);
  } catch {
    throw new ConfigError(`TRUST_PROXY must be a number of proxies or addresses and subnets such as loopback or 10.0.0.0/8, not "${value}".`);
  }
  return entries;
}

function trustedDocumentsFrom(env: Env): Pick<GatewayConfig, 'trustedDocuments' | 'anonymousOperations'> {
  const trustedDocuments = (env.TRUSTED_DOCUMENTS ?? '').split(',').map((path) => path.trim()).filter(Boolean).map((path) => resolve(path));
  const anonymousOperations = env.ANONYMOUS_OPERATIONS || 'any';
  if (anonymousOperations !== 'any' && anonymousOperations !== 'trusted') throw new ConfigError(`ANONYMOUS_OPERATIONS must be any or trusted, not "${anonymousOperations}".`);
  if (anonymousOperations === 'trusted' && trustedDocuments.length === 0) {
    throw new ConfigError('ANONYMOUS_OPERATIONS=trusted needs TRUSTED_DOCUMENTS: without trusted documents, anonymous callers could send nothing.');
  }
  return { trustedDocuments, anonymousOperations };
}
