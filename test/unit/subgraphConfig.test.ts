import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PGLITE_DIR, DEFAULT_SUBGRAPH_QUERY_LIMITS, loadSubgraphConfig } from '../../subgraphs/shared/config.js';

describe('loadSubgraphConfig', () => {
  it("runs on embedded PGlite with sample data, trusting the local gateway's keys, when nothing is set", () => {
    expect(loadSubgraphConfig('transport', {})).toEqual({
      name: 'transport',
      port: 4002,
      host: '127.0.0.1',
      databaseUrl: undefined,
      pgliteDir: DEFAULT_PGLITE_DIR,
      seedOnStart: true,
      gatewayJwksUrl: 'http://127.0.0.1:4000/.well-known/jwks.json',
      queryLimits: { maxDepth: 13, maxAliases: 30, maxCost: 5000, maxTokens: 4000 },
      logLevel: 'info',
      drainGraceMs: 5000,
    });
  });

  it("reads the subgraph's own variables, and does not seed a real database unless asked", () => {
    const config = loadSubgraphConfig('taxes', {
      TAXES_PORT: '0',
      TAXES_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/taxes',
      IDENTITY_DATABASE_URL: 'postgres://elsewhere/identity',
      LISTEN_HOST: '0.0.0.0',
      GATEWAY_JWKS_URL: 'http://gateway:4000/.well-known/jwks.json',
      SUBGRAPH_QUERY_MAX_DEPTH: '20',
      LOG_LEVEL: 'debug',
      DRAIN_GRACE_MS: '0',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/taxes',
      seedOnStart: false,
      gatewayJwksUrl: 'http://gateway:4000/.well-known/jwks.json',
      queryLimits: { ...DEFAULT_SUBGRAPH_QUERY_LIMITS, maxDepth: 20 },
      logLevel: 'debug',
      drainGraceMs: 0,
    });
    expect(loadSubgraphConfig('taxes', { GATEWAY_PORT: '4100' }).gatewayJwksUrl).toBe('http://127.0.0.1:4100/.well-known/jwks.json');
    expect(loadSubgraphConfig('taxes', { TAXES_DATABASE_URL: 'postgres://x/taxes', SEED_ON_START: 'true' }).seedOnStart).toBe(true);
    expect(loadSubgraphConfig('portal', { PGLITE_DIR: 'memory' }).pgliteDir).toBeUndefined();
  });

  it.each([
    [{ IDENTITY_PORT: 'eighty' }, 'IDENTITY_PORT must be a whole number from 0 to 65535'],
    [{ IDENTITY_PORT: '0x1F' }, 'IDENTITY_PORT must be a whole number from 0 to 65535, not "0x1F"'],
    [{ IDENTITY_PORT: '4e3' }, 'IDENTITY_PORT must be a whole number from 0 to 65535, not "4e3"'],
    [{ SEED_ON_START: 'sometimes' }, 'SEED_ON_START must be true or false'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ GATEWAY_JWKS_URL: 'gateway:4000' }, 'GATEWAY_JWKS_URL must be an http(s) URL'],
    [{ NODE_ENV: 'production' }, 'GATEWAY_JWKS_URL must be set when NODE_ENV is production'],
    [{ SUBGRAPH_QUERY_MAX_ALIASES: '0' }, 'SUBGRAPH_QUERY_MAX_ALIASES must be a whole number from 1 to 10000'],
  ])('refuses %j with a ConfigError naming the setting', (env, message) => {
    expect(() => loadSubgraphConfig('identity', env)).toThrowError(ConfigError);
    expect(() => loadSubgraphConfig('identity', env)).toThrowError(message);
  });
});
