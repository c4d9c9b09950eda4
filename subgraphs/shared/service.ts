import { readFileSync } from 'node:fs';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type DocumentNode } from 'graphql';
import { viewerFromAuthorization, type Viewer } from './auth.js';
import { isoDate, todayInPeru } from './calendar.js';
import type { Database } from './db.js';
import { maskUnexpectedError } from '../../lib/errors.js';
import { jsonBody, requestIdFrom } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { SubgraphName } from './config.js';

/** What every subgraph's per-request context starts from. */
export interface BaseContext {
  /** The verified caller, or null when the request carries no token. */
  viewer: Viewer | null;
  /** The gateway's request id (`x-request-id`) when it is a sensible one, else a new one. */
  requestId: string;
  /** A logger bound to this request. */
  logger: Logger;
  /**
   * The day in Peru (YYYY-MM-DD) this request judges "expired" on: fixed once, so that every field of
   * one response agrees on it.
   */
  today: string;
}

/** What a subgraph needs to be built: its database, a logger and the token secret. */
export interface SubgraphDeps {
  db: Database;
  logger: Logger;
  jwtSecret: string;
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

/** A built subgraph: an Express app serving `/graphql` and `/health`, and how to stop it. */
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
 * Builds a subgraph's Apollo Server and Express app. It never listens: `listen` does that, so tests and
 * `main.ts` choose the port. Errors are masked in one place (`maskUnexpectedError`).
 */
export async function createSubgraphServer<Context extends BaseContext>(options: {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  deps: SubgraphDeps;
  /** Adds this subgraph's loaders and store to the base context. */
  buildContext(base: BaseContext): Context;
}): Promise<SubgraphServer> {
  const { deps } = options;
  const server = new ApolloServer<Context>({
    // buildSubgraphSchema is typed for resolvers of any context; ours are checked against Context above.
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> }]),
    formatError: maskUnexpectedError(deps.logger),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
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
  app.use(
    '/graphql',
    ...jsonBody(),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.header('x-request-id'));
        const viewer = await viewerFromAuthorization(req.header('authorization'), deps.jwtSecret);
        const logger = deps.logger.child({ requestId });
        return options.buildContext({ viewer, requestId, logger, today: isoDate(todayInPeru()) });
      },
    }),
  );
  return { app, stop: () => server.stop() };
}
