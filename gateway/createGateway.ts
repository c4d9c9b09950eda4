import express, { type RequestHandler } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway } from '@apollo/gateway';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLFormattedError } from 'graphql';
import { maskUnexpectedError, SERVICE_UNAVAILABLE } from '../lib/errors.js';
import { jsonBody } from '../lib/http.js';
import { corsMiddleware, notFromAnotherSite } from './cors.js';
import type { KeySet } from '../lib/keys.js';
import type { Logger } from '../lib/logger.js';
import { openSharedStore } from '../lib/redis.js';
import type { SignIn } from '../lib/signIn.js';
import { DEFAULT_SUBGRAPH_TIMEOUT_MS, DEFAULT_TRAFFIC_SETTINGS, type TrafficSettings, overrideKey, routingUrl, type GatewayConfig } from './config.js';
import { contextBuilder, requestLogger, requestScopeMiddleware, type GatewayContext } from './context.js';
import { healthRoute } from './health.js';
import { DEFAULT_RATE_LIMITS, rateLimiter, type RateLimitSettings } from './rateLimit.js';
import { publicResponseCache } from './responseCache.js';
import { supergraphIdOf } from '../schema/compose.js';
import { loadTrustedDocuments, registerTrustedDocuments, trustedDocumentsPlugin } from './trustedDocuments.js';
import { playgroundRouter } from './playground.js';
import { costLimitPlugin } from '../lib/costLimit.js';
import { operationResolutionPlugin } from './plugins/operationResolution.js';
import { legacyJsonStatusPlugin } from './plugins/legacyJsonStatus.js';
import { noSubscriptionsPlugin } from './plugins/noSubscriptions.js';
import { refuseNulTextPlugin } from '../lib/nulText.js';
import { requestLoggingPlugin } from './plugins/requestLogging.js';
import { usageReportPlugin } from './plugins/usageReport.js';
import { DEFAULT_QUERY_LIMITS, queryLimitRules, queryParseOptions, type QueryLimits } from '../lib/queryLimits.js';
import { enforceAccess, plannerSupergraphs } from './authorization.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';
import { assertion } from './traffic/assertion.js';
import { chainTraffic } from './traffic/chain.js';
import { requestId } from './traffic/requestId.js';
import { timeout } from './traffic/timeout.js';
import { breakers } from './traffic/breaker.js';
import { dedup } from './traffic/dedup.js';
import { subgraphPool } from './traffic/pool.js';
import { retry } from './traffic/retry.js';
import { streamRoute, streamRouting, type ServedSchema } from './stream.js';
import { supergraphProvider, subgraphsOf, type SubgraphEndpoint, type SupergraphSource } from './supergraph.js';

/** What the gateway is built from: where the supergraph comes from, who it trusts, routing overrides. */
export interface GatewayOptions {
  supergraph: SupergraphSource;
  /** How callers' bearer tokens are verified: the identity provider's keys, audience, algorithms, clock skew. */
  signIn: SignIn;
  /** The gateway's own keys: the first signs the assertion of every subgraph fetch; all are published at `/.well-known/jwks.json`. */
  keys: KeySet;
  /** Routing URL overrides by subgraph name (see `GatewayConfig.subgraphUrls`); default none. */
  subgraphUrls?: GatewayConfig['subgraphUrls'];
  /** Routing ports by subgraph name, for those without an override (see `GatewayConfig.subgraphPorts`); default none. */
  subgraphPorts?: GatewayConfig['subgraphPorts'];
  /** The origins whose pages may call /graphql from a browser (see `GatewayConfig.corsOrigins`); default none. */
  corsOrigins?: GatewayConfig['corsOrigins'];
  /** How long one subgraph fetch may take (see `GatewayConfig.subgraphTimeoutMs`); default 10 s. */
  subgraphTimeoutMs?: number;
  /** Timeouts of single subgraphs by name (see `GatewayConfig.subgraphTimeoutsMs`); default none. */
  subgraphTimeoutsMs?: GatewayConfig['subgraphTimeoutsMs'];
  /** Retries, circuit breakers, de-duplication (see `TrafficSettings`); each setting not given has its default. */
  traffic?: Partial<TrafficSettings>;
  /** Where state shared by every replica lives (see `GatewayConfig.redis`); default this process's memory. */
  redis?: GatewayConfig['redis'];
  /** Files and folders of trusted documents (see `GatewayConfig.trustedDocuments`); default none. */
  trustedDocuments?: readonly string[];
  /** Whether anonymous callers may send any operation or only trusted documents (see `GatewayConfig.anonymousOperations`); default any. */
  anonymousOperations?: GatewayConfig['anonymousOperations'];
  /** Whether anonymous answers are cached as the subgraphs' cache hints allow (see `GatewayConfig.responseCache`); default true. */
  responseCache?: boolean;
  /** Requests per minute per client address and per caller (see `RateLimitSettings`); each not given has its default. */
  rateLimits?: Partial<RateLimitSettings>;
  /** Which proxies may name the client (see `GatewayConfig.trustProxy`); default none. */
  trustProxy?: GatewayConfig['trustProxy'];
  /**
   * How much one operation may ask for (see `QueryLimits`); each limit not given has its default:
   * depth 12, aliases 30, cost 5000, tokens 2000.
   */
  queryLimits?: Partial<QueryLimits>;
  /** With the registry source, how often usage is reported to it (see `GatewayConfig.usageFlushMs`); default 10 s. */
  usageFlushMs?: number;
}

/** A built gateway: an Express app serving /graphql, /health, /playground; it never listens itself. */
export interface GatewayServer {
  app: express.Express;
  gateway: ApolloGateway;
  server: ApolloServer<GatewayContext>;
  /** Resolves once the first supergraph is served; rejects when it cannot be loaded. */
  ready: Promise<void>;
  /** Stops serving and watching; safe at any point, even before `ready`. */
  stop(): Promise<void>;
}

/** How long a start waits for Redis, at most: without it, the gateway serves anyway. */
const REDIS_WAIT_MS = 2000;

type Phase =
  | { phase: 'starting' }
  | { phase: 'serving'; graphql: RequestHandler }
  | { phase: 'failed' }
  | { phase: 'stopped' };

/**
 * Builds the gateway over any Federation 2 supergraph. The app answers at once (`/health` says
 * "starting") and the supergraph loads in the background: `ready` tells when /graphql serves.
 */
export function createGateway(options: GatewayOptions, deps: { logger: Logger }): GatewayServer {
  const { logger } = deps;
  const subgraphUrls = options.subgraphUrls ?? {};
  const subgraphPorts = options.subgraphPorts ?? {};
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...definedOnly(options.queryLimits ?? {}) };
  const timeoutMs = options.subgraphTimeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  const keyPrefix = options.redis?.keyPrefix ?? 'ventanilla:';
  // Opened first: the registry source listens on it for new supergraphs.
  const shared = openSharedStore({ url: options.redis?.url, keyPrefix, logger });
  const supergraph = supergraphProvider(options.supergraph, logger, { store: shared, keyPrefix });
  const usage =
    options.supergraph.kind === 'registry' ? usageReportPlugin({ registryUrl: options.supergraph.url, flushMs: options.usageFlushMs ?? 10_000, keys: options.keys, logger }) : undefined;
  const trafficSettings: TrafficSettings = { ...DEFAULT_TRAFFIC_SETTINGS, ...definedOnly(options.traffic ?? {}) };
  const subgraphTimeouts = options.subgraphTimeoutsMs ?? {};
  const circuits = breakers({ failures: trafficSettings.breakerFailures, cooldownMs: trafficSettings.breakerCooldownMs }, logger);
  const pool = subgraphPool();
  let trusted: ReadonlySet<string> = new Set();
  const rateLimits = rateLimiter({ ...DEFAULT_RATE_LIMITS, ...definedOnly(options.rateLimits ?? {}) }, shared, logger);
  // The order of the traffic chain, first to last: identical queries join before anything else, so a
  // shared fetch is one fetch to every wrapper after; the timeout's clock covers every attempt, so a
  // retry never outlives it and a stalled subgraph's timeouts count as failures for its breaker; the
  // breaker sees one outcome per fetch, retries included, and while open no retry is even tried;
  // the assertion is made per attempt (reused within its life), so a late retry never sends an expired one.
  const traffic = chainTraffic(
    [
      requestId(),
      ...(trafficSettings.dedup ? [dedup()] : []),
      timeout((subgraph) => subgraphTimeouts[overrideKey(subgraph)] ?? timeoutMs),
      circuits.wrapper,
      retry({ retries: trafficSettings.retries, budgetPercent: trafficSettings.retryBudgetPercent }, logger),
      assertion(options.keys),
    ],
    pool.send,
  );
  const gateway = new ApolloGateway({
    supergraphSdl: plannerSupergraphs(supergraph),
    buildService: ({ name, url }) => new SubgraphDataSource({ name, url: routingUrl(subgraphUrls, name, url ?? '', subgraphPorts), logger, traffic }),
    logger,
  });

  let served: SubgraphEndpoint[] | null = null;
  let supergraphId = 'none';
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    supergraphId = supergraphIdOf(coreSupergraphSdl);
    served = subgraphsOf(coreSupergraphSdl).map(({ name, url }) => ({ name, url: routingUrl(subgraphUrls, name, url, subgraphPorts) }));
    const names = new Set(served.map(({ name }) => overrideKey(name)));
    const unknown = Object.keys(subgraphUrls).filter((key) => !names.has(key));
    if (unknown.length) logger.warn({ overrides: unknown }, 'SUBGRAPH_URL_* names subgraphs the supergraph does not have');
  });
  // Subscriptions are not planned but handed whole to the subgraph owning their field (see stream.ts).
  let streaming: Omit<ServedSchema, 'urlOf'> | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const subscription = apiSchema.getSubscriptionType();
    streaming = { apiSchema, routing: streamRouting(coreSupergraphSdl, subscription?.name ?? 'Subscription') };
  });
  const stream = streamRoute({
    signIn: options.signIn,
    logger,
    admit: rateLimits.admit,
    keys: options.keys,
    limits,
    served: () => (state.phase === 'serving' && streaming ? { ...streaming, urlOf: (name) => served?.find((endpoint) => endpoint.name === name)?.url } : null),
  });

  const server = new ApolloServer<GatewayContext>({
    // Authorization directives are enforced before the gateway plans anything (see authorization.ts).
    gateway: enforceAccess(gateway, logger),
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    // The schema is public (the portal contract documents it) and the playground needs it.
    introspection: true,
    // One operation's size is bounded before it is planned (see queryLimits.ts): tokens while parsing,
    // depth and aliases while validating, cost once the variables are known.
    parseOptions: queryParseOptions(limits),
    validationRules: queryLimitRules(limits),
    // main.ts stops on SIGTERM by draining (lib/http): Apollo's own handler would stop the server and
    // re-raise the signal, killing the process with requests still in flight.
    stopOnTerminationSignals: false,
    // Every replica knows a query registered with any of them; Redis down makes it a miss, and the
    // client sends the whole query again, as the APQ protocol provides.
    persistedQueries: { cache: shared.cache },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      operationResolutionPlugin(),
      noSubscriptionsPlugin(),
      refuseNulTextPlugin(),
      legacyJsonStatusPlugin(),
      costLimitPlugin(limits.maxCost),
      trustedDocumentsPlugin({ anonymous: options.anonymousOperations ?? 'any', documents: () => trusted, cache: shared.cache }),
      ...(options.responseCache === false ? [] : [publicResponseCache(shared.cache, () => supergraphId)]),
      requestLoggingPlugin(),
      ...(usage ? [usage.plugin] : []),
    ],
    logger,
  });

  let state: Phase = { phase: 'starting' };
  // A replica starting beside a working Redis uses it from its first request (see REDIS_WAIT_MS).
  const ready = Promise.all([
    server.start(),
    shared.connected(REDIS_WAIT_MS).then(async () => {
      const documents = await loadTrustedDocuments(options.trustedDocuments ?? []);
      trusted = new Set(documents.map(({ sha256 }) => sha256));
      if (documents.length) await shared.keep(() => registerTrustedDocuments(documents, shared.cache, logger));
    }),
  ]).then(
    () => {
      if (state.phase !== 'starting') return;
      state = { phase: 'serving', graphql: expressMiddleware(server, { context: contextBuilder({ signIn: options.signIn, logger, admit: rateLimits.admit }) }) };
    },
    (error: unknown) => {
      if (state.phase === 'starting') state = { phase: 'failed' };
      throw error;
    },
  );
  // Callers await `ready`; this only keeps a failed start from also being an unhandled rejection.
  ready.catch(() => {});

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.get('/', (_req, res) => res.redirect('/playground'));
  app.use(playgroundRouter());
  app.get('/health', healthRoute(() => (state.phase === 'serving' ? served : null), traffic, circuits.states, () => ({ redis: shared.state(), rateLimits: rateLimits.report() }), () => supergraph.report()));
  // Subgraphs verify assertions against these keys; they are public, and cached briefly.
  app.get('/.well-known/jwks.json', (_req, res) => res.set('cache-control', 'public, max-age=60').json(options.keys.publicJwks));
  const graphql: RequestHandler = (req, res, next) => {
    if (state.phase === 'serving') return state.graphql(req, res, next);
    const message = state.phase === 'starting' ? 'The gateway is starting: no supergraph is loaded yet.' : 'The gateway is not serving.';
    res.status(503).json({ errors: [{ message, extensions: { code: SERVICE_UNAVAILABLE } }] });
  };
  // Before /graphql, which would take /graphql/stream for one of its own paths.
  app.use('/graphql/stream', ...corsMiddleware(options.corsOrigins ?? []), ...jsonBody(), requestScopeMiddleware(logger), stream.handler);
  app.use('/graphql', ...corsMiddleware(options.corsOrigins ?? []), notFromAnotherSite(), ...jsonBody(), requestScopeMiddleware(logger), graphql);

  return {
    app,
    gateway,
    server,
    ready,
    async stop() {
      const previous = state.phase;
      state = { phase: 'stopped' };
      // A gateway still waiting for its first supergraph gives up; a start under way finishes first.
      supergraph.stop();
      const started = await ready.then(() => true, () => false);
      if (started && previous !== 'stopped') await server.stop();
      await usage?.stop();
      stream.stop();
      await pool.close();
      await shared.close();
    },
  };
}

/**
 * Errors as clients see them: the platform's one policy (`maskUnexpectedError`), with a masked error
 * logged under the request it belongs to (Apollo Server calls this without the context).
 */
function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
    maskUnexpectedError(requestLogger(logger))(formatted, error);
}

/** `settings` without those given as undefined: such a setting keeps its default rather than switching its check off. */
function definedOnly<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Partial<T>;
}
