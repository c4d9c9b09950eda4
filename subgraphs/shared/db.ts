import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PGlite, type Transaction } from '@electric-sql/pglite';

/** One row-returning statement's result, the same shape from `pg` and PGlite. */
export interface QueryResult<Row> {
  rows: Row[];
}

/** What a store needs from a database: parameterised queries and transactions, nothing engine-specific. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
}

/** A database an agency owns: PostgreSQL through `pg`, or embedded PGlite when no URL is configured. */
export interface Database extends Queryable {
  /** `postgres` for a real server, `pglite` for the embedded engine. */
  readonly engine: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Calls `listener` with the text of every statement sent; returns a function that stops listening. */
  onStatement(listener: (sql: string) => void): () => void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL connection URL. When absent, PGlite is used. */
  url?: string;
  /** PGlite only: where to keep the data. Absent: in memory, gone when the process stops. */
  dataDir?: string;
  /** pg only: the most connections the pool opens (default 10). */
  maxConnections?: number;
}

/** Opens the database named by `options`; it is not migrated yet (see `migrate`). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const listeners = new Set<(sql: string) => void>();
  const announce = (sql: string) => {
    for (const listener of listeners) listener(sql);
  };
  const onStatement = (listener: (sql: string) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    // The pool and a client checked out for a transaction are queried alike.
    const viaPg = (target: pg.Pool | pg.PoolClient): Queryable => ({
      async query<Row>(sql: string, params?: unknown[]) {
        announce(sql);
        const result = await target.query(sql, params);
        return { rows: result.rows as Row[] };
      },
      async exec(sql: string) {
        announce(sql);
        await target.query(sql);
      },
    });
    return {
      engine: 'postgres',
      ...viaPg(pool),
      async transaction(work) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const value = await work(viaPg(client));
          await client.query('COMMIT');
          return value;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      },
      onStatement,
      close: () => pool.end(),
    };
  }

  const lite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  // The database and a transaction's handle are queried alike.
  const viaLite = (target: Pick<Transaction, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      announce(sql);
      const result = await target.query<Row>(sql, params);
      return { rows: result.rows };
    },
    async exec(sql: string) {
      announce(sql);
      await target.exec(sql);
    },
  });
  return {
    engine: 'pglite',
    ...viaLite(lite),
    transaction: (work) => lite.transaction((tx) => work(viaLite(tx))),
    onStatement,
    close: () => lite.close(),
  };
}

/**
 * Applies the `.sql` files of `directory` in name order, each once, all in one transaction; each is
 * remembered as `<prefix><file>`, so that two folders may hold files of the same name. Safe to run
 * from several processes at once: an advisory lock serialises them.
 */
export async function migrate(db: Database, directory: URL, prefix = ''): Promise<string[]> {
  const files = (await readdir(fileURLToPath(directory))).filter((name) => name.endsWith('.sql')).sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    // Any fixed number will do; it only has to be the same for every process migrating this database.
    await tx.query('SELECT pg_advisory_xact_lock(4242)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = await tx.query<{ name: string }>('SELECT name FROM schema_migrations');
    const seen = new Set(done.rows.map((row) => row.name));
    for (const file of files) {
      const name = `${prefix}${file}`;
      if (seen.has(name)) continue;
      const sql = await readFile(new URL(file, directory), 'utf8');
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
  });
  return applied;
}

/**
 * Creates the database a connection URL names, on the same server, unless it exists: each agency's
 * database is created at its subgraph's first start (connecting to the server's `postgres` database).
 */
export async function ensureDatabaseOf(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!name || name === 'postgres') return;
  await ensurePostgresDatabase(databaseUrlOn(databaseUrl, 'postgres'), name);
}

/** The URL of database `name` on the server `serverUrl` names: same host, port and credentials. */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Creates the PostgreSQL database `name` on the server of `serverUrl` unless it exists. */
export async function ensurePostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** Drops the PostgreSQL database `name`, closing any connection still open to it. */
export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
