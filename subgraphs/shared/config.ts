import { fileURLToPath } from 'node:url';
import { ConfigError, logLevelFrom, parseBoolean, parsePort, type Env } from '../../lib/settings.js';

export { ConfigError };

/** The four subgraphs and their default ports. The name is the folder, the supergraph name and the compose service. */
export const SUBGRAPH_PORTS = { identity: 4001, transport: 4002, taxes: 4003, portal: 4004 } as const;
export type SubgraphName = keyof typeof SUBGRAPH_PORTS;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_PORTS) as SubgraphName[];

/** The signing secret used when JWT_SECRET is not set; refused when NODE_ENV is production. */
export const DEVELOPMENT_JWT_SECRET = 'ventanilla-development-secret-do-not-use-in-production';

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
  /** `JWT_SECRET`: HS256 secret shared with the gateway. Default: a development secret (refused in production). */
  jwtSecret: string;
  /** `LOG_LEVEL`: pino level; default info. */
  logLevel: string;
}

/** JWT_SECRET, with the development default outside production. */
export function jwtSecretFrom(env: Env): string {
  const secret = env.JWT_SECRET;
  if (secret) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters long.');
    return secret;
  }
  if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET must be set when NODE_ENV is production.');
  return DEVELOPMENT_JWT_SECRET;
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
    jwtSecret: jwtSecretFrom(env),
    logLevel: logLevelFrom(env),
  };
}
