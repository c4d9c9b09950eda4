import { fileURLToPath } from 'node:url';
import { DEFAULT_SIGNING_ALGORITHM, readOrCreateKeyFile, type KeySet } from '../lib/keys.js';
import { drainGraceFrom, logLevelFrom, parsePort, type Env } from '../lib/settings.js';
import { DEVELOPMENT_KEY_ID_PREFIX } from '../lib/signIn.js';

/** The audience every Ventanilla token is for; the gateway's `TOKEN_AUDIENCE` default. */
export const TOKEN_AUDIENCE = 'ventanilla';

/** The development issuer's default port. */
export const DEFAULT_ISSUER_PORT = 4010;

/** Where the development issuer keeps its key pair by default: `.data/issuer/keys.json`. */
export const DEFAULT_ISSUER_KEYS_FILE = fileURLToPath(new URL('../.data/issuer/keys.json', import.meta.url));

/** Everything the development issuer is configured with. */
export interface IssuerConfig {
  /** `ISSUER_PORT`; default 4010. */
  port: number;
  /** `LISTEN_HOST`; default 127.0.0.1. */
  host: string;
  /** `ISSUER_URL`: its public URL, every token's `iss`; default `http://127.0.0.1:<port>`. */
  url: string;
  /** `ISSUER_KEYS_FILE`: its private key set, made at first start; default `.data/issuer/keys.json`. */
  keysFile: string;
  /** `LOG_LEVEL`; default info. */
  logLevel: string;
  /** `DRAIN_GRACE_MS`: how long a stop lets the requests in flight finish; default 5000. */
  drainGraceMs: number;
}

/** Reads the development issuer's configuration from the environment (the only issuer code that does). */
export function loadIssuerConfig(env: Env = process.env): IssuerConfig {
  const port = parsePort(env.ISSUER_PORT, DEFAULT_ISSUER_PORT, 'ISSUER_PORT');
  return {
    port,
    host: env.LISTEN_HOST || '127.0.0.1',
    url: developmentIssuerUrl(env),
    keysFile: env.ISSUER_KEYS_FILE || DEFAULT_ISSUER_KEYS_FILE,
    logLevel: logLevelFrom(env),
    drainGraceMs: drainGraceFrom(env),
  };
}

/**
 * The development issuer's key set, made at first use: its kids say it is the development issuer's,
 * so that a production gateway refuses what it signs (see DEVELOPMENT_KEY_ID_PREFIX).
 */
export function readIssuerKeys(config: Pick<IssuerConfig, 'keysFile'>): Promise<KeySet> {
  return readOrCreateKeyFile(config.keysFile, DEFAULT_SIGNING_ALGORITHM, DEVELOPMENT_KEY_ID_PREFIX);
}

/** The development issuer's URL as configured: what the gateway trusts when `OIDC_ISSUER` is not set. */
export function developmentIssuerUrl(env: Env): string {
  return env.ISSUER_URL || `http://127.0.0.1:${parsePort(env.ISSUER_PORT, DEFAULT_ISSUER_PORT, 'ISSUER_PORT')}`;
}
