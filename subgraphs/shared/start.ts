import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { todayInPeru } from './calendar.js';
import { ConfigError, loadSubgraphConfig, type SubgraphConfig } from './config.js';
import { ensureDatabaseOf, migrate, openDatabase, type Database } from './db.js';
import { listen, type Listening } from './http.js';
import { createLogger, type Logger } from './logger.js';
import type { SubgraphService } from './service.js';

/** Opens a subgraph's own database as configured (PostgreSQL, or PGlite in its own folder) and migrates it. */
export async function openServiceDatabase(service: SubgraphService, config: SubgraphConfig): Promise<Database> {
  let dataDir: string | undefined;
  if (config.databaseUrl) {
    await ensureDatabaseOf(config.databaseUrl);
  } else if (config.pgliteDir) {
    dataDir = join(config.pgliteDir, service.name);
    await mkdir(dataDir, { recursive: true });
  }
  const db = await openDatabase({ url: config.databaseUrl, dataDir });
  await migrate(db, service.migrations);
  return db;
}

/**
 * Starts a subgraph as `main.ts` does: config from the environment, database, optional seed, listen,
 * and a clean stop on SIGTERM or SIGINT.
 */
export async function runSubgraph(service: SubgraphService): Promise<void> {
  let config: SubgraphConfig;
  try {
    config = loadSubgraphConfig(service.name);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A setting mistake is the operator's to fix: say which, without a stack trace.
    console.error(error.message);
    process.exit(1);
  }
  const logger = createLogger(service.name, config.logLevel);
  const db = await openServiceDatabase(service, config);
  if (config.seedOnStart) await service.seed(db, { citizens: 200, today: todayInPeru() });
  const server = await service.create({ db, logger, jwtSecret: config.jwtSecret });
  const listening = await listen(server.app, config.port, config.host);
  logger.info(
    { url: `${listening.url}/graphql`, database: db.engine === 'postgres' ? 'postgresql' : `pglite (${config.pgliteDir ?? 'memory'})` },
    `${service.name} subgraph ready`,
  );
  const shutdown = async () => {
    logger.info('stopping');
    await stopAll(listening, server, db, logger);
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

async function stopAll(listening: Listening, server: { stop(): Promise<void> }, db: Database, logger: Logger) {
  try {
    await listening.close();
    await server.stop();
    await db.close();
  } catch (error) {
    logger.error({ err: error }, 'error while stopping');
  }
}
