import { todayInPeru } from '../../subgraphs/shared/calendar.js';
import { expect } from 'vitest';
import { migrate, openDatabase, type Database } from '../../subgraphs/shared/db.js';
import { listen } from '../../subgraphs/shared/http.js';
import { createLogger } from '../../subgraphs/shared/logger.js';
import type { SubgraphService } from '../../subgraphs/shared/service.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { graphql, TEST_JWT_SECRET } from './graphql.js';

/** The day test data is seeded relative to: today, as the servers judge "expired" against the clock. */
export const TEST_TODAY = todayInPeru();

/** A subgraph running for a test on an OS-picked port, with its own database. */
export interface RunningSubgraph {
  name: string;
  /** `http://127.0.0.1:<port>/graphql`. */
  url: string;
  db: Database;
  close(): Promise<void>;
}

export interface StartOptions {
  /** `postgres` (default): a fresh database on the machine's server, dropped on close. `pglite`: in memory. */
  engine?: 'postgres' | 'pglite';
  /** Generated citizens to seed besides the personas (default 50). */
  citizens?: number;
}

/** Starts `service` as in production but on port 0 and a throwaway database; `close()` undoes it all. */
export async function startSubgraph(service: SubgraphService, options: StartOptions = {}): Promise<RunningSubgraph> {
  let testDatabase: TestDatabase | undefined;
  if ((options.engine ?? 'postgres') === 'postgres') testDatabase = await createTestDatabase(service.name);
  const db = await openDatabase({ url: testDatabase?.url });
  try {
    await migrate(db, service.migrations);
    await service.seed(db, { citizens: options.citizens ?? 50, today: TEST_TODAY });
    const server = await service.create({ db, logger: createLogger(service.name, 'silent'), jwtSecret: TEST_JWT_SECRET });
    const listening = await listen(server.app, 0, '127.0.0.1');
    return {
      name: service.name,
      url: `${listening.url}/graphql`,
      db,
      async close() {
        await listening.close();
        await server.stop();
        await db.close();
        await testDatabase?.drop();
      },
    };
  } catch (error) {
    await db.close();
    await testDatabase?.drop();
    throw error;
  }
}

/**
 * Resolves `representations` through the `_entities` operation `query`, checks that the answer has no
 * errors, and counts the statements it cost by the first table each one reads or writes: how the
 * contract tests show that N entities cost one statement per table, not N.
 */
export async function resolveEntities(
  subgraph: RunningSubgraph,
  query: string,
  representations: unknown[],
  token?: string,
): Promise<{ entities: any[]; perTable: Record<string, number> }> {
  const perTable: Record<string, number> = {};
  const stop = subgraph.db.onStatement((sql) => {
    const table = /\b(?:FROM|INTO)\s+(\w+)/i.exec(sql)?.[1] ?? sql;
    perTable[table] = (perTable[table] ?? 0) + 1;
  });
  try {
    const response = await graphql(subgraph.url, query, { representations }, token);
    expect(response.errors).toBeUndefined();
    return { entities: response.data._entities, perTable };
  } finally {
    stop();
  }
}
