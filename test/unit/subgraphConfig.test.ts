import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PGLITE_DIR, DEVELOPMENT_JWT_SECRET, loadSubgraphConfig } from '../../subgraphs/shared/config.js';

describe('loadSubgraphConfig', () => {
  it('runs on embedded PGlite with sample data and the development secret when nothing is set', () => {
    expect(loadSubgraphConfig('transport', {})).toEqual({
      name: 'transport',
      port: 4002,
      host: '127.0.0.1',
      databaseUrl: undefined,
      pgliteDir: DEFAULT_PGLITE_DIR,
      seedOnStart: true,
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      logLevel: 'info',
    });
  });

  it("reads the subgraph's own variables, and does not seed a real database unless asked", () => {
    const config = loadSubgraphConfig('taxes', {
      TAXES_PORT: '0',
      TAXES_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/taxes',
      IDENTITY_DATABASE_URL: 'postgres://elsewhere/identity',
      LISTEN_HOST: '0.0.0.0',
      JWT_SECRET: 'x'.repeat(32),
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', databaseUrl: 'postgres://postgres@127.0.0.1:5432/taxes', seedOnStart: false, logLevel: 'debug' });
    expect(loadSubgraphConfig('taxes', { TAXES_DATABASE_URL: 'postgres://x/taxes', SEED_ON_START: 'true' }).seedOnStart).toBe(true);
    expect(loadSubgraphConfig('portal', { PGLITE_DIR: 'memory' }).pgliteDir).toBeUndefined();
  });

  it.each([
    [{ IDENTITY_PORT: 'eighty' }, 'IDENTITY_PORT must be a whole number from 0 to 65535'],
    [{ IDENTITY_PORT: '0x1F' }, 'IDENTITY_PORT must be a whole number from 0 to 65535, not "0x1F"'],
    [{ IDENTITY_PORT: '4e3' }, 'IDENTITY_PORT must be a whole number from 0 to 65535, not "4e3"'],
    [{ SEED_ON_START: 'sometimes' }, 'SEED_ON_START must be true or false'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ JWT_SECRET: 'short' }, 'at least 32 characters'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET must be set'],
  ])('refuses %j with a ConfigError naming the setting', (env, message) => {
    expect(() => loadSubgraphConfig('identity', env)).toThrowError(ConfigError);
    expect(() => loadSubgraphConfig('identity', env)).toThrowError(message);
  });
});
