import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../gateway/config.js';
import { DEFAULT_CONTRACT_FOLDER, loadRegistryConfig } from '../../registry/config.js';
import { DEFAULT_CONFIG_FILE } from '../../schema/compose.js';
import { DEFAULT_PGLITE_DIR } from '../../subgraphs/shared/config.js';

describe('loadRegistryConfig', () => {
  it('has a default for everything outside production', () => {
    expect(loadRegistryConfig({})).toMatchObject({
      port: 4020,
      host: '127.0.0.1',
      databaseUrl: undefined,
      pgliteDir: DEFAULT_PGLITE_DIR,
      redis: { url: undefined, keyPrefix: 'ventanilla:' },
      subgraphUrls: {},
      subgraphPorts: {},
      signIn: { issuer: 'http://127.0.0.1:4010', audience: 'ventanilla' },
      production: false,
      contractFolder: DEFAULT_CONTRACT_FOLDER,
      usageWindowDays: 30,
      seedConfig: DEFAULT_CONFIG_FILE,
      logLevel: 'info',
    });
  });

  it('reads the environment', () => {
    expect(
      loadRegistryConfig({
        REGISTRY_PORT: '5020',
        REGISTRY_DATABASE_URL: 'postgres://registry@db:5432/registry',
        PGLITE_DIR: 'memory',
        REDIS_URL: 'redis://redis:6379',
        SUBGRAPH_URL_TRANSPORT: 'http://transport:4002/graphql',
        REGISTRY_USAGE_WINDOW_DAYS: '7',
        REGISTRY_CONTRACT: '/srv/contract',
        REGISTRY_SEED: '/srv/supergraph.yaml',
      }),
    ).toMatchObject({
      port: 5020,
      databaseUrl: 'postgres://registry@db:5432/registry',
      pgliteDir: undefined,
      redis: { url: 'redis://redis:6379' },
      subgraphUrls: { transport: 'http://transport:4002/graphql' },
      usageWindowDays: 7,
      contractFolder: '/srv/contract',
      seedConfig: '/srv/supergraph.yaml',
    });
  });

  it.each([
    [{ REGISTRY_PORT: 'x' }, 'REGISTRY_PORT must be a whole number'],
    [{ REGISTRY_USAGE_WINDOW_DAYS: '0' }, 'REGISTRY_USAGE_WINDOW_DAYS must be a whole number from 1 to 3650'],
    [{ NODE_ENV: 'production', GATEWAY_KEYS_FILE: '/k.json' }, 'OIDC_ISSUER must be set when NODE_ENV is production'],
    [{ REDIS_URL: 'http://redis' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
  ])('refuses %j with a ConfigError', (env, message) => {
    expect(() => loadRegistryConfig(env)).toThrowError(ConfigError);
    expect(() => loadRegistryConfig(env)).toThrowError(message);
  });
});
