import { todayInPeru } from '../../subgraphs/shared/calendar.js';
import { expect } from 'vitest';
import type { Database } from '../../subgraphs/shared/db.js';
import { listen } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import type { SubgraphService } from '../../subgraphs/shared/service.js';
import { openServiceDatabase } from '../../subgraphs/shared/start.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import type { JWTVerifyGetKey } from 'jose';
import type { Caller } from '../../lib/caller.js';
import { errorCodes, graphql } from './graphql.js';
import { asCitizen, assertionFor, testGatewayKeys, tokenFor } from './trust.js';

/** The day test data is seeded relative to: today, as the servers judge "expired" against the clock. */
export const TEST_TODAY = todayInPeru();

/** A subgraph running for a test on an OS-picked port, with its own database. */
export interface RunningSubgraph {
  name: string;
  /** `http://127.0.0.1:<port>/graphql`. */
  url: string;
  db: Database;
  /** The assertion the gateway would send this subgraph for `caller` (null: anonymous) and `purpose`. */
  as(caller: Caller | null, purpose?: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** `postgres` (default): a fresh database on the machine's server, dropped on close. `pglite`: in memory. */
  engine?: 'postgres' | 'pglite';
  /** Generated citizens to seed besides the personas (default 50). */
  citizens?: number;
  /** The gateway keys assertions are verified against; default the test gateway's, held in memory. */
  gatewayKeys?: JWTVerifyGetKey;
}

/** Starts `service` as in production but on port 0 and a throwaway database; `close()` undoes it all. */
export async function startSubgraph(service: SubgraphService, options: StartOptions = {}): Promise<RunningSubgraph> {
  let testDatabase: TestDatabase | undefined;
  if ((options.engine ?? 'postgres') === 'postgres') testDatabase = await createTestDatabase(service.name);
  // No pgliteDir: PGlite in memory.
  const db = await openServiceDatabase(service, { databaseUrl: testDatabase?.url }).catch(async (error: unknown) => {
    await testDatabase?.drop();
    throw error;
  });
  try {
    await service.seed(db, { citizens: options.citizens ?? 50, today: TEST_TODAY });
    const gatewayKeys = options.gatewayKeys ?? (await testGatewayKeys());
    const server = await service.create({ db, logger: createLogger(service.name, 'silent'), gatewayKeys });
    const listening = await listen(server.app, 0, '127.0.0.1');
    return {
      name: service.name,
      url: `${listening.url}/graphql`,
      db,
      as: (caller, purpose) => assertionFor(service.name, caller, purpose ?? null),
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
 * Statements per table (the first table each reads or writes) sent to each of `dbs` while `work`
 * runs: how tests show that N entities cost one statement per table, not N.
 */
export async function countStatementsPerTable<Name extends string, T>(
  dbs: Record<Name, Database>,
  work: () => Promise<T>,
): Promise<{ result: T; counts: Record<Name, Record<string, number>> }> {
  const counts = {} as Record<Name, Record<string, number>>;
  const stops = (Object.entries(dbs) as [Name, Database][]).map(([name, db]) => {
    const perTable: Record<string, number> = (counts[name] = {});
    return db.onStatement((sql) => {
      const table = /\b(?:FROM|INTO|UPDATE)\s+(\w+)/i.exec(sql)?.[1] ?? sql.slice(0, 40);
      perTable[table] = (perTable[table] ?? 0) + 1;
    });
  });
  try {
    return { result: await work(), counts };
  } finally {
    for (const stop of stops) stop();
  }
}

/**
 * Resolves `representations` through the `_entities` operation `query` as `caller` (null: anonymous),
 * checks that the answer has no errors, and counts the statements it cost per table (see
 * countStatementsPerTable).
 */
export async function resolveEntities(
  subgraph: RunningSubgraph,
  query: string,
  representations: unknown[],
  caller: Caller | null,
  purpose?: string,
): Promise<{ entities: any[]; perTable: Record<string, number> }> {
  const assertion = await subgraph.as(caller, purpose);
  const { result: response, counts } = await countStatementsPerTable({ subgraph: subgraph.db }, () =>
    graphql(subgraph.url, query, { representations }, assertion),
  );
  expect(response.errors).toBeUndefined();
  return { entities: response.data._entities, perTable: counts.subgraph };
}

/**
 * Checks that `subgraph` answers only the gateway: each of `requests`, sent with no credentials, with a
 * citizen's own token (`dni`'s) and with an assertion made for another subgraph, gets 401
 * UNAUTHENTICATED and no data, and not one statement reaches its database.
 */
export async function expectOnlyTheGateway(subgraph: RunningSubgraph, dni: string, requests: { query: string; variables?: Record<string, unknown> }[]): Promise<void> {
  const another = subgraph.name === 'identity' ? 'transport' : 'identity';
  for (const auth of [undefined, await tokenFor(asCitizen(dni)), await assertionFor(another, asCitizen(dni))]) {
    const { result: responses, counts } = await countStatementsPerTable({ subgraph: subgraph.db }, () =>
      Promise.all(requests.map(({ query, variables }) => graphql(subgraph.url, query, variables, auth))),
    );
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeUndefined();
    }
    expect(counts.subgraph).toEqual({});
  }
}

/** The newest `n` entries of `subgraph`'s access record, newest first. */
export async function lastReads(subgraph: RunningSubgraph, n = 1, columns = 'dni, agency, fields, accessor_kind, accessor_id, purpose') {
  return (await subgraph.db.query(`SELECT ${columns} FROM access_record ORDER BY position DESC LIMIT ${n}`)).rows;
}

/** How many entries `subgraph`'s access record holds. */
export async function recordSize(subgraph: RunningSubgraph): Promise<number> {
  return (await subgraph.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_record')).rows[0]!.n;
}

/**
 * Closes `dni`'s open applications of `slug` (cancelled by the platform, with the event the record
 * demands), for a test that starts another: a citizen holds one open application of a procedure at a
 * time, and earlier tests may have left one.
 */
export async function makeRoom(db: Database, dni: string, slug: string): Promise<void> {
  await db.query(
    `WITH open AS (
       SELECT id, status FROM applications
        WHERE dni = $1 AND procedure_slug = $2 AND status NOT IN ('COMPLETED', 'REJECTED', 'CANCELLED') FOR UPDATE),
     closed AS (
       UPDATE applications a SET status = 'CANCELLED', version = version + 1, updated_at = clock_timestamp()
         FROM open WHERE a.id = open.id
        RETURNING a.id, a.updated_at, open.status AS from_status)
     INSERT INTO application_events (application_id, at, from_status, status, note, actor_kind)
     SELECT id, updated_at, from_status, 'CANCELLED', 'Cerrada para una prueba.', 'SYSTEM' FROM closed`,
    [dni, slug],
  );
}
