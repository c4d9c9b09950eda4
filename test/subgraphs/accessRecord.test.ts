import { afterAll, describe, expect, it } from 'vitest';
import { appendAccessEntries, verifyAccessRecord, type AccessEntry } from '../../subgraphs/shared/accessRecord.js';
import { migrate, openDatabase, type Database } from '../../subgraphs/shared/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runScript } from '../helpers/script.js';

/**
 * The access record on its own: append-only whoever connects (PostgreSQL and PGlite alike), and
 * tamper-evident: `npm run audit:verify` finds an edited, a deleted and an inserted entry, each by its
 * position, and says intact otherwise. Entries are written by the record's one writer, as a subgraph
 * writes them; the tampering is done as a database owner would, triggers switched off.
 */
const PLATFORM_MIGRATIONS = new URL('../../subgraphs/shared/migrations/', import.meta.url);
const opened: { db: Database; database?: TestDatabase }[] = [];

afterAll(async () => {
  for (const { db, database } of opened) {
    await db.close();
    await database?.drop();
  }
});

/** A fresh database with the access record and `count` entries, written in three requests as a subgraph would. */
async function recordWith(count: number, engine: 'postgres' | 'pglite' = 'postgres'): Promise<{ db: Database; url?: string }> {
  const database = engine === 'postgres' ? await createTestDatabase('record') : undefined;
  const db = await openDatabase({ url: database?.url });
  opened.push({ db, database });
  await migrate(db, PLATFORM_MIGRATIONS, 'platform/');
  const entries: AccessEntry[] = Array.from({ length: count }, (_, index) => ({
    at: new Date(Date.UTC(2026, 11, 2, 10, 0, index)),
    dni: index % 2 ? '45678912' : '41234567',
    agency: index % 3 ? 'MTC' : 'SAT',
    fields: index % 3 ? ['Citizen.drivingLicence'] : ['Citizen.trafficFines'],
    accessor: index % 2 ? { kind: 'OFFICIAL', id: 'MTC-0001', name: 'Pedro Salas Rojas', agency: 'MTC' } : { kind: 'CITIZEN', id: '41234567', name: null, agency: null },
    purpose: index % 2 ? `review of CUT-2026-00000${index}` : null,
    requestId: `request-${Math.floor(index / 3)}`,
  }));
  for (let start = 0; start < count; start += 3) await appendAccessEntries(db, entries.slice(start, start + 3));
  return { db, url: database?.url };
}

/** Runs `npm run audit:verify -- transport --postgres <url>`, as an auditor would. */
const auditVerify = (url: string) => runScript('scripts/audit-verify.ts', ['transport', '--postgres', url], { PATH: process.env.PATH });

/** Runs `sql` as the database's owner would to tamper: the record's triggers and position check off. */
async function tamper(db: Database, ...statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE access_record DISABLE TRIGGER USER');
    await tx.query('ALTER TABLE access_record DROP CONSTRAINT access_record_position_check');
    for (const sql of statements) await tx.query(sql);
    await tx.query('ALTER TABLE access_record ADD CONSTRAINT access_record_position_check CHECK (position > 0) NOT VALID');
    await tx.query('ALTER TABLE access_record ENABLE TRIGGER USER');
  });
}

describe.each(['postgres', 'pglite'] as const)('the access record on %s is append-only', (engine) => {
  it.each([
    ['UPDATE', "UPDATE access_record SET purpose = 'nothing to see' WHERE position = 1"],
    ['DELETE', 'DELETE FROM access_record WHERE position = 2'],
    ['TRUNCATE', 'TRUNCATE access_record'],
    // The one writer numbers entries from 1: a row slipped in before them is refused too.
    ['an INSERT before the first position', 'INSERT INTO access_record SELECT 0, at, dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, purpose, request_id, previous_hash, hash FROM access_record WHERE position = 1'],
  ])('refuses %s, whoever connects', async (_verb, sql) => {
    const { db } = await recordWith(3, engine);
    await expect(db.query(sql)).rejects.toThrow(/access_record is append-only|access_record_position_check/);
    expect((await verifyAccessRecord(db)).problem).toBeNull();
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_record')).rows[0]?.n).toBe(3);
  });
});

describe('npm run audit:verify', () => {
  it('says an untouched record is intact, with its size and head hash, and exits 0', async () => {
    const { db, url } = await recordWith(9);
    const run = await auditVerify(url!);
    const head = (await db.query<{ hash: string }>('SELECT hash FROM access_record ORDER BY position DESC LIMIT 1')).rows[0]!.hash;
    expect(run).toEqual({ code: 0, stdout: `transport: the access record is intact: 9 entries, head 9:${head}.\n`, stderr: '' });
  });

  it('checks that a head kept elsewhere is still in place: what a chain alone cannot show', async () => {
    const { db, url } = await recordWith(9);
    const head = (await db.query<{ hash: string }>('SELECT hash FROM access_record WHERE position = 9')).rows[0]!.hash;
    const kept = ['transport', '--postgres', url!, '--expect', `9:${head}`];
    expect(await runScript('scripts/audit-verify.ts', kept, { PATH: process.env.PATH })).toMatchObject({ code: 0 });
    // The last two entries deleted: the rest still chains, but the kept head is gone.
    await tamper(db, 'DELETE FROM access_record WHERE position > 7');
    expect((await auditVerify(url!)).code).toBe(0);
    expect(await runScript('scripts/audit-verify.ts', kept, { PATH: process.env.PATH })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('entry 9 is not the one kept'),
    });
  });

  it.each([
    ['an edited purpose', (db: Database) => tamper(db, "UPDATE access_record SET purpose = 'routine' WHERE position = 4"), 'entry 4 was altered: its contents no longer match its hash'],
    ['an edited reader', (db: Database) => tamper(db, "UPDATE access_record SET accessor_id = 'MTC-0002' WHERE position = 7"), 'entry 7 was altered'],
    // Recomputing the edited entry's hash does not help: the next entry still names the old one.
    [
      'an edit with its hash recomputed',
      async (db: Database) => {
        await tamper(db, "UPDATE access_record SET purpose = 'routine' WHERE position = 4");
        const [row] = (await db.query<any>('SELECT * FROM access_record WHERE position = 4')).rows;
        const { entryHash } = await import('../../subgraphs/shared/accessRecord.js');
        const hash = entryHash(
          { at: row.at, dni: row.dni, agency: row.agency, fields: row.fields, accessor: { kind: row.accessor_kind, id: row.accessor_id, name: row.accessor_name, agency: row.accessor_agency }, purpose: row.purpose, requestId: row.request_id },
          row.previous_hash,
        );
        await tamper(db, `UPDATE access_record SET hash = '${hash}' WHERE position = 4`);
      },
      'entry 5 does not chain to entry 4: entry 4 was altered (its hash recomputed)',
    ],
    ['a deleted entry', (db: Database) => tamper(db, 'DELETE FROM access_record WHERE position = 5'), 'entry 5 was deleted: the record goes from 4 to 6'],
    [
      'a deleted entry, the positions closed up behind it',
      (db: Database) => tamper(db, 'DELETE FROM access_record WHERE position = 5', 'UPDATE access_record SET position = -position WHERE position > 5', 'UPDATE access_record SET position = -position - 1 WHERE position < 0'),
      'entry 5 does not chain to entry 4: entry 4 was altered (its hash recomputed), or entries after it were deleted and the positions closed up',
    ],
    [
      'an inserted entry, the positions moved to make room',
      (db: Database) =>
        tamper(
          db,
          'UPDATE access_record SET position = -position WHERE position >= 3',
          'UPDATE access_record SET position = -position + 1 WHERE position < 0',
          // A copy of entry 2 with another reader, slipped in as entry 3.
          `INSERT INTO access_record SELECT 3, at, dni, agency, fields, accessor_kind, 'SAT-0009', accessor_name, accessor_agency, purpose, request_id, previous_hash, hash FROM access_record WHERE position = 2`,
        ),
      'entry 3 was inserted',
    ],
    [
      'an entry inserted before the first, where the walk does not look',
      (db: Database) =>
        tamper(
          db,
          `INSERT INTO access_record SELECT 0, at, dni, agency, fields, accessor_kind, 'SAT-0666', 'Framed Official', accessor_agency, purpose, request_id, previous_hash, hash FROM access_record WHERE position = 1`,
        ),
      '1 entries were inserted outside the chain\'s positions (1 to 9)',
    ],
    [
      'an entry appended without its chain',
      (db: Database) =>
        tamper(db, `INSERT INTO access_record SELECT 10, at, dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, 'forged', request_id, previous_hash, hash FROM access_record WHERE position = 9`),
      'entry 10 was altered',
    ],
  ])('finds %s, names it, and exits 1', async (_name, alter, message) => {
    const { db, url } = await recordWith(9);
    await alter(db);
    const run = await auditVerify(url!);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`transport: the access record is NOT intact: ${message}`);
  });

  it('says what is wrong when the agency or database is not one it can read', async () => {
    expect(await runScript('scripts/audit-verify.ts', ['nowhere'], { PATH: process.env.PATH })).toMatchObject({ code: 1, stderr: expect.stringContaining('"nowhere" is neither a subgraph nor an agency') });
    const empty = await createTestDatabase('norecord');
    try {
      expect(await runScript('scripts/audit-verify.ts', ['transport', '--postgres', empty.url], { PATH: process.env.PATH })).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('transport: the access record could not be read: this database has none'),
      });
      // SAT's entries are in two records (transport's, and the portal's for its applications): one database cannot hold both.
      expect(await runScript('scripts/audit-verify.ts', ['SAT', '--postgres', empty.url], { PATH: process.env.PATH })).toMatchObject({
        code: 1,
        stderr: expect.stringContaining("SAT's entries are in transport and portal: name one subgraph with --postgres"),
      });
    } finally {
      await empty.drop();
    }
  });
});
