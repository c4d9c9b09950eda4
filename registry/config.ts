import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keysFileFrom, redisFrom, signInFrom, subgraphPortsFrom, subgraphUrlsFrom, type GatewayConfig } from '../gateway/config.js';
import { drainGraceFrom, logLevelFrom, parsePort, parseWholeNumber, type Env } from '../lib/settings.js';
import type { SignInOptions } from '../lib/signIn.js';
import { DEFAULT_CONFIG_FILE } from '../schema/compose.js';
import { DEFAULT_PGLITE_DIR } from '../subgraphs/shared/config.js';

/** The registry's default port. */
export const DEFAULT_REGISTRY_PORT = 4020;

/** Everything the schema registry is configured with. */
export interface RegistryConfig {
  /** `REGISTRY_PORT`; default 4020. */
  port: number;
  /** `LISTEN_HOST`; default 127.0.0.1. */
  host: string;
  /** `REGISTRY_DATABASE_URL`: its PostgreSQL database; default none, embedded PGlite under `PGLITE_DIR` (`registry/`). */
  databaseUrl: string | undefined;
  /** Where PGlite keeps it: `PGLITE_DIR` (its `registry/` folder; "memory" for none), without `REGISTRY_DATABASE_URL`. */
  pgliteDir: string | undefined;
  /** `REDIS_URL`, `REDIS_KEY_PREFIX`: where it tells gateways of a new supergraph; default none (gateways poll). */
  redis: GatewayConfig['redis'];
  /**
   * Where the registry reaches a subgraph to ask what it serves: its routing URL, overridden as the
   * gateway's is (`SUBGRAPH_URL_<NAME>`, `<NAME>_PORT`).
   */
  subgraphUrls: GatewayConfig['subgraphUrls'];
  subgraphPorts: GatewayConfig['subgraphPorts'];
  /** Who may publish: the same identity provider as the gateway's (`OIDC_ISSUER`, ...). */
  signIn: SignInOptions;
  /** `GATEWAY_KEYS_FILE`: the registry asks subgraphs what they serve as the gateway does. */
  gatewayKeysFile: string;
  production: boolean;
  /** `REGISTRY_CONTRACT`: the folder of the contract's operations, checked on every change; default `contract/`. */
  contractFolder: string;
  /** `REGISTRY_USAGE_WINDOW_DAYS`: how far back recorded traffic counts in a check; default 30. */
  usageWindowDays: number;
  /** `REGISTRY_SEED`: the supergraph.yaml whose subgraphs are the first versions of an empty registry; default `schema/supergraph.yaml`. */
  seedConfig: string;
  logLevel: string;
  drainGraceMs: number;
}

export const DEFAULT_CONTRACT_FOLDER = fileURLToPath(new URL('../contract/', import.meta.url));

/** Reads the registry's configuration from the environment (the only registry code that does). */
export function loadRegistryConfig(env: Env = process.env): RegistryConfig {
  const production = env.NODE_ENV === 'production';
  const pgliteDir = env.PGLITE_DIR === 'memory' ? undefined : env.PGLITE_DIR || DEFAULT_PGLITE_DIR;
  return {
    port: parsePort(env.REGISTRY_PORT, DEFAULT_REGISTRY_PORT, 'REGISTRY_PORT'),
    host: env.LISTEN_HOST || '127.0.0.1',
    databaseUrl: env.REGISTRY_DATABASE_URL || undefined,
    pgliteDir,
    redis: redisFrom(env),
    subgraphUrls: subgraphUrlsFrom(env),
    subgraphPorts: subgraphPortsFrom(env),
    signIn: signInFrom(env, production),
    gatewayKeysFile: keysFileFrom(env, production),
    production,
    contractFolder: env.REGISTRY_CONTRACT ? resolve(env.REGISTRY_CONTRACT) : DEFAULT_CONTRACT_FOLDER,
    usageWindowDays: parseWholeNumber(env.REGISTRY_USAGE_WINDOW_DAYS, 30, 'REGISTRY_USAGE_WINDOW_DAYS', 1, 3650),
    seedConfig: env.REGISTRY_SEED ? resolve(env.REGISTRY_SEED) : DEFAULT_CONFIG_FILE,
    logLevel: logLevelFrom(env),
    drainGraceMs: drainGraceFrom(env),
  };
}
