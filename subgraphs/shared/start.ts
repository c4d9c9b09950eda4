import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * Opens agency `name`'s database where `location` says, as it is (no migration). An embedded one is
 * locked to this process while open: PGlite is one process's, and a second (a seed, `audit:verify`,
 * another start) would corrupt it; that one is refused with the holder's pid instead.
 */
export async function openAgencyDatabase(name: string, location: DatabaseLocation): Promise<Database> {
  if (location.databaseUrl) {
    await ensureDatabaseOf(location.databaseUrl);
    return openDatabase({ url: location.databaseUrl });
  }
  if (!location.pgliteDir) return openDatabase({});
  const dataDir = join(location.pgliteDir, name);
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockFolder(dataDir);
  try {
    const db = await openDatabase({ dataDir });
    return { ...db, close: () => db.close().finally(unlock) };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Makes `folder` this process's: a pid file, refused while a living process holds one. */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const lockFile = join(folder, 'ventanilla.pid');
  for (;;) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`The embedded database ${folder} is in use by process ${holder}: stop it first (or use PostgreSQL, which many processes share).`);
    }
    // Left by a process that is gone: taken over.
    await rm(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens a subgraph's own database where `location` says and migrates it; on failure, nothing is left open. */
export async function openServiceDatabase(service: SubgraphService, location: DatabaseLocation): Promise<Database> {
  const db = await openAgencyDatabase(service.name, location);
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
  const server = await service.create({ db, logger, gatewayKeys, queryLimits: config.queryLimits, redis: config.redis });
  const listening = await listen(server.app, config.port, config.host);
  logger.info(
    { url: `${listening.url}/graphql`, database: db.engine === 'postgres' ? 'postgresql' : `pglite (${config.pgliteDir ?? 'memory'})` },
    `${service.name} subgraph ready`,
  );
  shutdownOnSignals(logger, async () => {
    await listening.close(config.drainGraceMs);
    await server.stop();
    await db.close();
  });
}
