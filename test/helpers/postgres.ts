import { randomBytes } from 'node:crypto';
import { databaseUrlOn, dropPostgresDatabase, ensurePostgresDatabase } from '../../subgraphs/shared/db.js';

/** The machine's PostgreSQL server (trust auth); TEST_POSTGRES_URL overrides it. */
export const POSTGRES_SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of the test's own on the real server, dropped by `drop()`. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database `vt_<label>_<random>`; the caller drops it in afterAll. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `vt_${label}_${randomBytes(4).toString('hex')}`;
  await ensurePostgresDatabase(POSTGRES_SERVER_URL, name);
  return { name, url: databaseUrlOn(POSTGRES_SERVER_URL, name), drop: () => dropPostgresDatabase(POSTGRES_SERVER_URL, name) };
}
