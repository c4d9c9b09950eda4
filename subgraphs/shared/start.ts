import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { todayInPeru } from './calendar.js';
import { configOrExit } from '../../lib/settings.js';
import { loadSubgraphConfig } from './config.js';
import { ensureDatabaseOf, migrate, openDatabase, type Database } from './db.js';
import { listen, shutdownOnSignals } from '../../lib/http.js';
import { remoteKeys, type RemoteKeyOptions } from '../../lib/keySources.js';
import { createLogger } from '../../lib/logger.js';
import type { SubgraphService } from './service.js';

/** Where a subgraph's database is, as `SubgraphConfig` says: PostgreSQL, else PGlite in a folder, else PGlite in memory. */
export interface DatabaseLocation {
  /** A PostgreSQL database, created on its server if missing. */
  databaseUrl?: string;
  /** Without a URL: the parent folder of the embedded databases (this subgraph's is a sub-folder). Absent: in memory. */
  pgliteDir?: string;
}

/** The migrations of what every subgraph's database holds (the access record), whatever the agency. */
const PLATFORM_MIGRATIONS = new URL('./migrations/', import.meta.url);

/** Opens a subgraph's own database where `location` says and migrates it; on failure, nothing is left open. */
export async function openServiceDatabase(service: SubgraphService, location: DatabaseLocation): Promise<Database> {
  let dataDir: string | undefined;
  if (location.databaseUrl) {
    await ensureDatabaseOf(location.databaseUrl);
  } else if (location.pgliteDir) {
    dataDir = join(location.pgliteDir, service.name);
    await mkdir(dataDir, { recursive: true });
  }
  const db = await openDatabase({ url: location.databaseUrl, dataDir });
  try {
    // What every agency's database holds first: its access record.
    await migrate(db, PLATFORM_MIGRATIONS, 'platform/');
    await migrate(db, service.migrations);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * How a subgraph caches the gateway's keys: fetched again at most a minute after the last time, and
 * within a second for an unknown `kid`, so that a rotated key is taken up quickly. The gateway is
 * near, and the cool-down still keeps forged `kid`s from making every request a fetch.
 */
export const GATEWAY_KEY_CACHE: RemoteKeyOptions = { cacheMaxAgeMs: 60_000, cooldownMs: 1000 };

/**
 * Starts a subgraph as `main.ts` does: config from the environment, database, optional seed, listen,
 * and a clean stop on SIGTERM or SIGINT.
 */
export async function runSubgraph(service: SubgraphService): Promise<void> {
  const config = configOrExit(() => loadSubgraphConfig(service.name));
  const logger = createLogger(service.name, config.logLevel);
  const db = await openServiceDatabase(service, config);
  if (config.seedOnStart) await service.seed(db, { citizens: 200, today: todayInPeru() });
  const gatewayKeys = remoteKeys(new URL(config.gatewayJwksUrl), GATEWAY_KEY_CACHE);
  const server = await service.create({ db, logger, gatewayKeys, queryLimits: config.queryLimits });
  const listening = await listen(server.app, config.port, config.host);
  logger.info(
    { url: `${listening.url}/graphql`, database: db.engine === 'postgres' ? 'postgresql' : `pglite (${config.pgliteDir ?? 'memory'})` },
    `${service.name} subgraph ready`,
  );
  shutdownOnSignals(logger, async () => {
    await listening.close();
    await server.stop();
    await db.close();
  });
}
