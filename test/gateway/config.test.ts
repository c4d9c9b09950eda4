import { describe, expect, it } from 'vitest';
import { ConfigError, loadGatewayConfig, routingUrl } from '../../gateway/config.js';
import { DEFAULT_SUPERGRAPH_FILE } from '../../schema/compose.js';
import { subgraphsOf } from '../../gateway/supergraph.js';
import { DEFAULT_GATEWAY_KEYS_FILE } from '../../gateway/config.js';
import { TOYS, toySupergraph } from './toys.js';

describe('loadGatewayConfig', () => {
  it('has a default for everything outside production', () => {
    expect(loadGatewayConfig([], {})).toEqual({
      supergraph: { kind: 'file', path: DEFAULT_SUPERGRAPH_FILE, watch: true },
      usageFlushMs: 10_000,
      port: 4000,
      host: '127.0.0.1',
      signIn: {
        issuer: 'http://127.0.0.1:4010',
        jwksUrl: undefined,
        audience: 'ventanilla',
        algorithms: ['ES256', 'RS256', 'EdDSA'],
        clockSkewSeconds: 60,
        refuseDevelopmentIssuer: false,
      },
      keysFile: DEFAULT_GATEWAY_KEYS_FILE,
      production: false,
      subgraphUrls: {},
      subgraphPorts: {},
      corsOrigins: ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'],
      redis: { url: undefined, keyPrefix: 'ventanilla:' },
      trustedDocuments: [],
      anonymousOperations: 'any',
      responseCache: true,
      rateLimits: { addressPerMinute: 600, callerPerMinute: 1200 },
      trustProxy: false,
      subgraphTimeoutMs: 10_000,
      subgraphTimeoutsMs: {},
      traffic: { retries: 2, retryBudgetPercent: 10, breakerFailures: 5, breakerCooldownMs: 10_000, dedup: true },
      queryLimits: { maxDepth: 12, maxAliases: 30, maxCost: 5000, maxTokens: 2000 },
      logLevel: 'info',
      drainGraceMs: 5000,
    });
    expect(DEFAULT_SUPERGRAPH_FILE).toMatch(/\/schema\/supergraph\.graphql$/);
    expect(DEFAULT_GATEWAY_KEYS_FILE).toMatch(/\/\.data\/gateway\/keys\.json$/);
  });

  it('reads the environment, and a flag wins over its variable', () => {
    const config = loadGatewayConfig(['--supergraph', '/srv/a.graphql', '--port', '0'], {
      SUPERGRAPH_PATH: '/srv/b.graphql',
      GATEWAY_PORT: '4100',
      LISTEN_HOST: '0.0.0.0',
      SUPERGRAPH_WATCH: 'false',
      OIDC_ISSUER: 'https://login.gob.pe',
      OIDC_JWKS_URL: 'https://login.gob.pe/keys',
      TOKEN_AUDIENCE: 'portal',
      TOKEN_ALGORITHMS: 'ES256,EdDSA',
      TOKEN_CLOCK_SKEW_SECONDS: '30',
      GATEWAY_KEYS_FILE: '/run/secrets/gateway-keys.json',
      SUBGRAPH_URL_IDENTITY: 'http://identity:4001/graphql',
      TAXES_PORT: '5003',
      CORS_ORIGINS: 'https://portal.gob.pe, http://localhost:*',
      REDIS_URL: 'redis://redis:6379',
      REDIS_KEY_PREFIX: 'gob:',
      RESPONSE_CACHE: 'false',
      TRUSTED_DOCUMENTS: '/srv/contract, /srv/more.graphql',
      ANONYMOUS_OPERATIONS: 'trusted',
      RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
      RATE_LIMIT_CALLER_PER_MINUTE: '60',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      SUBGRAPH_TIMEOUT_MS: '2500',
      SUBGRAPH_TIMEOUT_MS_TAXES: '20000',
      SUBGRAPH_RETRIES: '0',
      SUBGRAPH_RETRY_BUDGET_PERCENT: '20',
      SUBGRAPH_BREAKER_FAILURES: '3',
      SUBGRAPH_BREAKER_COOLDOWN_MS: '5000',
      SUBGRAPH_DEDUP: 'false',
      QUERY_MAX_DEPTH: '8',
      QUERY_MAX_ALIASES: '10',
      QUERY_MAX_COST: '20000',
      QUERY_MAX_TOKENS: '4000',
      LOG_LEVEL: 'warn',
      DRAIN_GRACE_MS: '15000',
    });
    expect(config).toEqual({
      supergraph: { kind: 'file', path: '/srv/a.graphql', watch: false },
      usageFlushMs: 10_000,
      port: 0,
      host: '0.0.0.0',
      signIn: {
        issuer: 'https://login.gob.pe',
        jwksUrl: 'https://login.gob.pe/keys',
        audience: 'portal',
        algorithms: ['ES256', 'EdDSA'],
        clockSkewSeconds: 30,
        refuseDevelopmentIssuer: false,
      },
      keysFile: '/run/secrets/gateway-keys.json',
      production: false,
      subgraphUrls: { identity: 'http://identity:4001/graphql' },
      subgraphPorts: { taxes: 5003 },
      corsOrigins: ['https://portal.gob.pe', 'http://localhost:*'],
      redis: { url: 'redis://redis:6379', keyPrefix: 'gob:' },
      trustedDocuments: ['/srv/contract', '/srv/more.graphql'],
      anonymousOperations: 'trusted',
      responseCache: false,
      rateLimits: { addressPerMinute: 0, callerPerMinute: 60 },
      trustProxy: ['loopback', '10.0.0.0/8'],
      subgraphTimeoutMs: 2500,
      subgraphTimeoutsMs: { taxes: 20_000 },
      traffic: { retries: 0, retryBudgetPercent: 20, breakerFailures: 3, breakerCooldownMs: 5000, dedup: false },
      queryLimits: { maxDepth: 8, maxAliases: 10, maxCost: 20_000, maxTokens: 4000 },
      logLevel: 'warn',
      drainGraceMs: 15_000,
    });
    expect(loadGatewayConfig([], { TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadGatewayConfig([], { SUPERGRAPH_SOURCE: 'registry' }).supergraph).toEqual({ kind: 'registry', url: 'http://127.0.0.1:4020', pollMs: 10_000 });
    const registry = loadGatewayConfig([], { SUPERGRAPH_SOURCE: 'registry', REGISTRY_URL: 'http://registry:4020/', REGISTRY_POLL_MS: '500', USAGE_FLUSH_MS: '2000' });
    expect({ supergraph: registry.supergraph, usageFlushMs: registry.usageFlushMs }).toEqual({ supergraph: { kind: 'registry', url: 'http://registry:4020', pollMs: 500 }, usageFlushMs: 2000 });
    expect(loadGatewayConfig([], { SUPERGRAPH_PATH: '/srv/b.graphql', GATEWAY_PORT: '4100' })).toMatchObject({
      supergraph: { path: '/srv/b.graphql' },
      port: 4100,
    });
  });

  it.each([
    [['--port', 'eighty'], {}, '--port must be a whole number from 0 to 65535'],
    [[], { GATEWAY_PORT: '70000' }, 'GATEWAY_PORT must be a whole number from 0 to 65535'],
    // Plain decimal digits only: Number() would read these as 31 and 1000.
    [[], { GATEWAY_PORT: '0x1F' }, 'GATEWAY_PORT must be a whole number from 0 to 65535, not "0x1F"'],
    [[], { SUBGRAPH_TIMEOUT_MS: '1e3' }, 'SUBGRAPH_TIMEOUT_MS must be a whole number from 1 to 600000, not "1e3"'],
    [[], { QUERY_MAX_COST: '1e3' }, 'QUERY_MAX_COST must be a whole number from 1 to 100000000, not "1e3"'],
    [['--verbose'], {}, "Unknown option '--verbose'"],
    [['extra'], {}, 'Usage: gateway'],
    [[], { SUPERGRAPH_WATCH: 'sometimes' }, 'SUPERGRAPH_WATCH must be true or false'],
    [[], { SUPERGRAPH_SOURCE: 'git' }, 'SUPERGRAPH_SOURCE must be file or registry, not "git"'],
    [['--supergraph', '/srv/a.graphql'], { SUPERGRAPH_SOURCE: 'registry' }, 'SUPERGRAPH_SOURCE=registry reads no file'],
    [[], { SUPERGRAPH_SOURCE: 'registry', REGISTRY_URL: 'registry:4020' }, 'REGISTRY_URL must be an http(s) URL'],
    [[], { SUPERGRAPH_SOURCE: 'registry', REGISTRY_POLL_MS: '50' }, 'REGISTRY_POLL_MS must be a whole number from 100 to 600000'],
    [[], { USAGE_FLUSH_MS: '0' }, 'USAGE_FLUSH_MS must be a whole number from 100 to 600000'],
    [[], { SUBGRAPH_URL_TAXES: 'taxes:4003' }, 'SUBGRAPH_URL_TAXES must be an http(s) URL'],
    [[], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [[], { SUBGRAPH_TIMEOUT_MS: '0' }, 'SUBGRAPH_TIMEOUT_MS must be a whole number'],
    [[], { SUBGRAPH_TIMEOUT_MS: 'soon' }, 'SUBGRAPH_TIMEOUT_MS must be a whole number'],
    [[], { QUERY_MAX_DEPTH: '0' }, 'QUERY_MAX_DEPTH must be a whole number from 1 to 100'],
    [[], { QUERY_MAX_ALIASES: '-1' }, 'QUERY_MAX_ALIASES must be a whole number from 1 to 10000'],
    [[], { QUERY_MAX_COST: '5e3' }, 'QUERY_MAX_COST must be a whole number'],
    [[], { QUERY_MAX_TOKENS: 'unlimited' }, 'QUERY_MAX_TOKENS must be a whole number'],
    [[], { NODE_ENV: 'production', GATEWAY_KEYS_FILE: '/k.json' }, 'OIDC_ISSUER must be set when NODE_ENV is production'],
    [[], { NODE_ENV: 'production', OIDC_ISSUER: 'https://login.gob.pe' }, 'GATEWAY_KEYS_FILE must be set when NODE_ENV is production'],
    [[], { OIDC_ISSUER: 'login.gob.pe' }, 'OIDC_ISSUER must be an http(s) URL'],
    // A shared secret is exactly what asymmetric sign-in does away with.
    [[], { TOKEN_ALGORITHMS: 'ES256,HS256' }, 'TOKEN_ALGORITHMS must list asymmetric algorithms among ES256, RS256, EdDSA, not "HS256"'],
    [[], { TOKEN_ALGORITHMS: 'none' }, 'not "none"'],
    [[], { TOKEN_CLOCK_SKEW_SECONDS: '3600' }, 'TOKEN_CLOCK_SKEW_SECONDS must be a whole number from 0 to 600'],
    [[], { CORS_ORIGINS: 'portal.gob.pe' }, 'CORS_ORIGINS must list origins'],
    [[], { ANONYMOUS_OPERATIONS: 'registered' }, 'ANONYMOUS_OPERATIONS must be any or trusted'],
    [[], { ANONYMOUS_OPERATIONS: 'trusted' }, 'ANONYMOUS_OPERATIONS=trusted needs TRUSTED_DOCUMENTS'],
    [[], { RATE_LIMIT_ADDRESS_PER_MINUTE: 'lots' }, 'RATE_LIMIT_ADDRESS_PER_MINUTE must be a whole number'],
    // Trusting every proxy would let any client name the address it is counted by.
    [[], { TRUST_PROXY: 'true' }, 'TRUST_PROXY must be a number of proxies or addresses and subnets'],
    // An origin has no path: a page's origin never matches one.
    [[], { CORS_ORIGINS: 'https://portal.gob.pe/app' }, 'not "https://portal.gob.pe/app"'],
  ])('refuses %j %j with a ConfigError', (argv, env: Record<string, string>, message) => {
    expect(() => loadGatewayConfig(argv, env)).toThrowError(ConfigError);
    expect(() => loadGatewayConfig(argv, env)).toThrowError(message);
  });
});

describe('routing', () => {
  it('routes to the override of a subgraph when there is one, whatever characters its name has', () => {
    const overrides = loadGatewayConfig([], { SUBGRAPH_URL_CIVIL_REGISTRY: 'http://civil:4009/graphql' }).subgraphUrls;
    expect(routingUrl(overrides, 'civil-registry', 'http://127.0.0.1:4009/graphql')).toBe('http://civil:4009/graphql');
    expect(routingUrl(overrides, 'taxes', 'http://127.0.0.1:4003/graphql')).toBe('http://127.0.0.1:4003/graphql');
  });

  it('routes a subgraph without an override to its <NAME>_PORT, on the supergraph\'s host', () => {
    const { subgraphUrls, subgraphPorts } = loadGatewayConfig([], {
      CIVIL_REGISTRY_PORT: '5009',
      TAXES_PORT: '5003',
      SUBGRAPH_URL_TAXES: 'http://taxes:4003/graphql',
      REDIS_PORT: 'tcp://172.17.0.2:6379',
      GATEWAY_PORT: '4100',
    });
    expect(subgraphPorts).toEqual({ civil_registry: 5009, taxes: 5003 });
    expect(routingUrl(subgraphUrls, 'civil-registry', 'http://127.0.0.1:4009/graphql', subgraphPorts)).toBe('http://127.0.0.1:5009/graphql');
    expect(routingUrl(subgraphUrls, 'taxes', 'http://127.0.0.1:4003/graphql', subgraphPorts)).toBe('http://taxes:4003/graphql');
    expect(routingUrl(subgraphUrls, 'people', 'http://127.0.0.1:4001/graphql', subgraphPorts)).toBe('http://127.0.0.1:4001/graphql');
  });

  it('lists the subgraphs a supergraph routes to', () => {
    const sdl = toySupergraph([
      { name: 'people', url: 'http://10.0.0.1:5001/graphql', typeDefs: TOYS.people.typeDefs, requests: () => 0, queries: () => [], close: async () => {} },
      { name: 'pets', url: 'http://10.0.0.2:5002/graphql', typeDefs: TOYS.pets.typeDefs, requests: () => 0, queries: () => [], close: async () => {} },
    ]);
    expect(subgraphsOf(sdl)).toEqual([
      { name: 'people', url: 'http://10.0.0.1:5001/graphql' },
      { name: 'pets', url: 'http://10.0.0.2:5002/graphql' },
    ]);
  });
});
