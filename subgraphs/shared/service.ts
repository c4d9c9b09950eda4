import { readFileSync } from 'node:fs';
import express, { type RequestHandler } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { JWTVerifyGetKey } from 'jose';
import { parse, type DocumentNode } from 'graphql';
import { AssertionRefused, verifyAssertion, type Assertion } from '../../lib/assertions.js';
import type { Caller } from '../../lib/caller.js';
import { costLimitPlugin } from '../../lib/costLimit.js';
import { maskUnexpectedError, SERVICE_UNAVAILABLE } from '../../lib/errors.js';
import { jsonBody, requestIdFrom } from '../../lib/http.js';
import { KeysUnavailable } from '../../lib/keySources.js';
import type { Logger } from '../../lib/logger.js';
import { refuseNulTextPlugin } from '../../lib/nulText.js';
import { queryLimitRules, queryParseOptions, type QueryLimits } from '../../lib/queryLimits.js';
import { AccessLog, appendAccessEntries } from './accessRecord.js';
import { isoDate, todayInPeru } from './calendar.js';
import { DEFAULT_SUBGRAPH_QUERY_LIMITS, type SubgraphName } from './config.js';
import type { Database } from './db.js';
import { guardPersonalData, type PersonalDataPolicy } from './personalData.js';
import { streamHandler } from './stream.js';

/** What every subgraph's per-request context starts from. */
export interface BaseContext {
  /** The caller the gateway verified and asserted, or null for an anonymous request (and the gateway's own). */
  caller: Caller | null;
  /** Why the caller reads, as they told the gateway; null when they said nothing. */
  purpose: string | null;
  /** The gateway's request id, from its assertion: the same in every log and access record of the request. */
  requestId: string;
  /** A logger bound to this request. */
  logger: Logger;
  /**
   * The day in Peru (YYYY-MM-DD) this request judges "expired" on: fixed once, so that every field of
   * one response agrees on it.
   */
  today: string;
  /** The personal data this request has read so far, written to the agency's access record before the response leaves. */
  access: AccessLog;
  /** At /graphql/stream only: the event id the client last received (its `Last-Event-ID`), when it resumes a stream. */
  lastEventId?: string | null;
}

/**
 * A cross-cutting concern plugged into a subgraph server by whoever starts it (metrics, tracing, a
 * cache client), so that adding one touches no service.
 */
export interface SubgraphExtension {
  plugins?: readonly ApolloServerPlugin<BaseContext>[];
  /** Adds to every request's context, before the subgraph's own additions (loaders, store). */
  context?(base: BaseContext): Record<string, unknown>;
}

/** What a subgraph needs to be built: its database, a logger, the gateway's keys, and what its starter plugs in. */
export interface SubgraphDeps {
  db: Database;
  logger: Logger;
  /** The gateway's public keys: every request must carry an assertion they verify (see lib/assertions.ts). */
  gatewayKeys: JWTVerifyGetKey;
  /** This subgraph's own limits on one operation; each one not given has its default (see `DEFAULT_SUBGRAPH_QUERY_LIMITS`). */
  queryLimits?: Partial<QueryLimits>;
  extensions?: readonly SubgraphExtension[];
  /**
   * The Redis every replica of this subgraph shares (`REDIS_URL`, `REDIS_KEY_PREFIX`), for what one
   * replica must tell the others (the portal: a change that live streams on any replica follow).
   * Default none: this process alone.
   */
  redis?: { url: string; keyPrefix: string };
}

/** Sample data options, the same for every agency so that the same citizens exist everywhere. */
export interface SeedOptions {
  /** How many generated citizens besides the five personas. */
  citizens: number;
  /** The day the data is relative to (licences expiring "within 60 days" of it, and so on). */
  today: Date;
  /** Called as rows are written: generated citizens done so far. */
  onProgress?: (done: number) => void;
}

/** A built subgraph: an Express app serving `/graphql`, `/graphql/stream` (with a Subscription type) and `/health`, and how to stop it. */
export interface SubgraphServer {
  app: express.Express;
  stop(): Promise<void>;
}

/** One subgraph as the platform knows it: how to migrate, seed and build it. */
export interface SubgraphService {
  name: SubgraphName;
  /** The folder of this subgraph's `.sql` migrations. */
  migrations: URL;
  /** The subgraph's SDL, as published to the gateway. */
  typeDefs: DocumentNode;
  /** Writes the deterministic sample data; safe to run twice. */
  seed(db: Database, options: SeedOptions): Promise<void>;
  create(deps: SubgraphDeps): Promise<SubgraphServer>;
}

/** Reads an SDL file given relative to a module: `loadTypeDefs(new URL('./schema.graphql', import.meta.url))`. */
export function loadTypeDefs(file: URL): DocumentNode {
  return parse(readFileSync(file, 'utf8'));
}

/**
 * Answers only the gateway: a request without a valid assertion for this subgraph gets 401 and
 * nothing else, `_entities` and `_service` included, before its body is even read.
 */
function gatewayOnly(name: string, gatewayKeys: JWTVerifyGetKey, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.assertion = await verifyAssertion(req.header('authorization'), gatewayKeys, name);
      next();
    } catch (error) {
      if (error instanceof AssertionRefused) {
        logger.warn({ reason: error.message, from: req.socket.remoteAddress }, 'refused a request that did not come from the gateway');
        res.status(401).set('www-authenticate', 'Bearer realm="ventanilla-gateway"').json({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
      if (error instanceof KeysUnavailable) {
        logger.error({ err: error }, "the gateway's keys could not be fetched");
        res.status(503).json({ errors: [{ message: "The gateway's keys cannot be checked right now.", extensions: { code: SERVICE_UNAVAILABLE } }] });
        return;
      }
      next(error);
    }
  };
}

/**
 * Writes the reads each request noted to the agency's access record before its response leaves. A
 * read that cannot be recorded is not answered: the response becomes an error (logged in full).
 */
function accessRecordPlugin(db: Database): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue.access.size === 0) return;
          try {
            await appendAccessEntries(db, contextValue.access.entries(new Date(), contextValue.requestId));
          } catch (error) {
            contextValue.logger.error({ err: error }, 'the access record could not be written: the data read is withheld');
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'Unexpected error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
            };
            response.http.status = 500;
          }
        },
      };
    },
  };
}

/**
 * Builds a subgraph's Apollo Server and Express app. It never listens: `listen` does that, so tests and
 * `main.ts` choose the port. Errors are masked in one place (`maskUnexpectedError`); personal data is
 * guarded in one (`guardPersonalData`, driven by the SDL's directives and `personalData`).
 */
export async function createSubgraphServer<Context extends BaseContext>(options: {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  deps: SubgraphDeps;
  /** Who may read this subgraph's records, and under which agency reads are recorded. */
  personalData: PersonalDataPolicy<Context>;
  /** Adds this subgraph's loaders and store to the base context. */
  buildContext(base: BaseContext): Context;
}): Promise<SubgraphServer> {
  const { deps } = options;
  const given = Object.entries(deps.queryLimits ?? {}).filter(([, value]) => value !== undefined);
  const limits: QueryLimits = { ...DEFAULT_SUBGRAPH_QUERY_LIMITS, ...Object.fromEntries(given) };
  const extensions = deps.extensions ?? [];
  const resolvers = guardPersonalData(options.name, options.typeDefs, options.resolvers, options.personalData);
  // buildSubgraphSchema is typed for resolvers of any context; ours are checked against Context above.
  const schema = buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
  const server = new ApolloServer<Context>({
    schema,
    formatError: maskUnexpectedError(deps.logger),
    includeStacktraceInErrorResponses: false,
    // The gateway's limits protect the platform; these protect the agency from the gateway too.
    parseOptions: queryParseOptions(limits),
    validationRules: queryLimitRules(limits),
    // start.ts stops on SIGTERM by draining (lib/http): Apollo's own handler would stop the server and
    // re-raise the signal, killing the process with requests still in flight.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin(limits.maxCost),
      refuseNulTextPlugin(),
      accessRecordPlugin(deps.db),
      ...(extensions.flatMap((extension) => extension.plugins ?? []) as ApolloServerPlugin<Context>[]),
    ],
    logger: deps.logger,
  });
  await server.start();

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', async (_req, res) => {
    try {
      await deps.db.query('SELECT 1');
      res.json({ status: 'ok', subgraph: options.name });
    } catch (error) {
      deps.logger.error({ err: error }, 'health check: database unreachable');
      res.status(503).json({ status: 'unavailable', subgraph: options.name, reason: 'database unreachable' });
    }
  });
  /** One request's context, at /graphql and at /graphql/stream alike, from the assertion `gatewayOnly` verified. */
  const contextOf = async (res: express.Response, lastEventId: string | null = null): Promise<Context> => {
    const assertion = res.locals.assertion as Assertion;
    const requestId = requestIdFrom(assertion.requestId);
    let base: BaseContext = {
      caller: assertion.caller,
      purpose: assertion.purpose,
      requestId,
      logger: deps.logger.child({ requestId }),
      today: isoDate(todayInPeru()),
      access: new AccessLog(),
      lastEventId,
    };
    for (const extension of extensions) if (extension.context) base = { ...base, ...extension.context(base) };
    return options.buildContext(base);
  };
  // Before /graphql, which would take /graphql/stream for one of its own paths.
  if (schema.getSubscriptionType()) {
    app.use(
      '/graphql/stream',
      gatewayOnly(options.name, deps.gatewayKeys, deps.logger),
      ...jsonBody(),
      streamHandler<Context>({
        schema,
        limits,
        logger: deps.logger,
        context: contextOf,
        // A stream lives long: each event's reads are written as it is sent, under the stream's request id.
        record: async (context) => {
          if (context.access.size) await appendAccessEntries(deps.db, context.access.entries(new Date(), context.requestId));
        },
      }),
    );
  }
  app.use('/graphql', gatewayOnly(options.name, deps.gatewayKeys, deps.logger), ...jsonBody(), expressMiddleware(server, { context: ({ res }) => contextOf(res) }));
  return { app, stop: () => server.stop() };
}
