/**
 * Seeding again on a later day (every subgraph seeds at start, SEED_ON_START) must leave exactly the
 * personas' stories of domain.md §6 true relative to the new day, with no duplicates, and must never
 * touch an application a citizen started. Facts are checked in SQL against the last seed's day: the
 * servers judge "expired" against the real clock, which these days are not.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityService } from '../../subgraphs/identity/createSubgraph.js';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import { PROCEDURES } from '../../subgraphs/portal/catalogue.js';
import { generatedApplication, seedCatalogue } from '../../subgraphs/portal/seed.js';
import { searchKey } from '../../subgraphs/portal/search.js';
import { PortalStore } from '../../subgraphs/portal/store.js';
import { migrate, openDatabase, type Database } from '../../subgraphs/shared/db.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import type { SubgraphService } from '../../subgraphs/shared/service.js';
import { taxesService } from '../../subgraphs/taxes/createSubgraph.js';
import { transportService } from '../../subgraphs/transport/createSubgraph.js';
import { ANA, CARMEN, JORGE, LUIS, PERSONAS, ROSA } from '../helpers/personas.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { TEST_TODAY } from '../helpers/subgraph.js';

/** A start that made (or found) an application: in these tests nothing open is in its way. */
function made<T>(started: T | { openOne: string }): T {
  if (typeof started === 'object' && started !== null && 'openOne' in started) throw new Error(`an open application is in the way: ${started.openOne}`);
  return started as T;
}

const CITIZENS = 80;
const date = (iso: string) => new Date(`${iso}T00:00:00Z`);
const shift = (day: Date, days: number) => isoDate(addDays(day, days));

/** A first seed, the next day, 40 days on, and across a year boundary. */
const DAYS = ['2026-01-20', '2026-01-21', '2026-03-02', '2026-12-31', '2027-01-02'].map(date);
const LAST = DAYS.at(-1)!;

interface Opened {
  db: Database;
  close(): Promise<void>;
}

/** A migrated, empty database of `service`'s own: a fresh one on the machine's PostgreSQL, or PGlite in memory. */
async function openMigrated(service: SubgraphService, engine: 'postgres' | 'pglite' = 'postgres', migrations = service.migrations): Promise<Opened> {
  const testDatabase: TestDatabase | undefined = engine === 'postgres' ? await createTestDatabase(`reseed_${service.name}`) : undefined;
  const db = await openDatabase({ url: testDatabase?.url });
  try {
    await migrate(db, migrations);
  } catch (error) {
    await db.close();
    await testDatabase?.drop();
    throw error;
  }
  return {
    db,
    async close() {
      await db.close();
      await testDatabase?.drop();
    },
  };
}

/**
 * A database of `service` with only 001_init.sql applied: what a deployment seeded before the later
 * migrations holds. `alsoApplied` are later migrations to apply with it, for what today's code needs to
 * write that state (and that the migration under test does not touch).
 */
async function openAtInit(service: SubgraphService, engine: 'postgres' | 'pglite' = 'postgres', alsoApplied: string[] = []): Promise<Opened> {
  const onlyInit = await mkdtemp(join(tmpdir(), `${service.name}-001-`));
  try {
    for (const file of ['001_init.sql', ...alsoApplied]) await copyFile(new URL(file, service.migrations), join(onlyInit, file));
    const opened = await openMigrated(service, engine, pathToFileURL(`${onlyInit}/`));
    return {
      db: opened.db,
      async close() {
        await opened.close();
        await rm(onlyInit, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(onlyInit, { recursive: true, force: true });
    throw error;
  }
}

/** Seeds `service` on each of `days` in turn, calling `check(day)` after each seed. */
async function seedOn(service: SubgraphService, db: Database, days: readonly Date[], check: (day: Date) => Promise<void>) {
  for (const today of days) {
    await service.seed(db, { citizens: CITIZENS, today });
    await check(today);
  }
}

describe('identity: seeding again on later days', () => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(identityService);
  });
  afterAll(async () => {
    await opened?.close();
  });

  const COUNTS = `SELECT (SELECT count(*) FROM citizens)::int AS citizens, (SELECT count(*) FROM identity_documents)::int AS documents,
    (SELECT count(*) FROM civil_records)::int AS records`;

  it("restates the personas' documents relative to each new day, and adds no row", async () => {
    let counts: unknown;
    let generated: unknown;
    const generatedRows = () =>
      opened.db.query(`SELECT d.* FROM identity_documents d WHERE dni LIKE '5%' ORDER BY dni`).then((result) => result.rows);
    await seedOn(identityService, opened.db, DAYS, async (today) => {
      counts ??= (await opened.db.query(COUNTS)).rows[0];
      generated ??= await generatedRows();
      expect((await opened.db.query(COUNTS)).rows[0]).toEqual(counts);
      const documents = await opened.db.query<{ dni: string; expires_on: string; status: string }>(
        `SELECT dni, to_char(expires_on, 'YYYY-MM-DD') AS expires_on, status FROM identity_documents WHERE dni = ANY($1) ORDER BY dni`,
        [PERSONAS],
      );
      expect(documents.rows).toHaveLength(5);
      for (const document of documents.rows) {
        expect(document.status).toBe('VALID');
        // Rosa's DNI expired 25 days before the seed's day; everyone else's is valid on it.
        if (document.dni === ROSA) expect(document.expires_on).toBe(shift(today, -25));
        else expect(document.expires_on > isoDate(today)).toBe(true);
      }
    });
    // Generated citizens are written once and kept as they were: consistent, not current.
    expect(await generatedRows()).toEqual(generated);
  });
});

describe('transport: seeding again on later days', () => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(transportService);
  });
  afterAll(async () => {
    await opened?.close();
  });

  const COUNTS = `SELECT (SELECT count(*) FROM driving_licences)::int AS licences, (SELECT count(*) FROM medical_exams)::int AS exams,
    (SELECT count(*) FROM traffic_fines)::int AS fines, (SELECT count(*) FROM vehicles)::int AS vehicles`;

  it("keeps Ana's licence valid and expiring within 60 days, Luis's expired, and adds no row", async () => {
    let counts: unknown;
    await seedOn(transportService, opened.db, DAYS, async (today) => {
      counts ??= (await opened.db.query(COUNTS)).rows[0];
      expect((await opened.db.query(COUNTS)).rows[0]).toEqual(counts);
      const licences = await opened.db.query<{ dni: string; expires_on: string; status: string }>(
        `SELECT dni, to_char(expires_on, 'YYYY-MM-DD') AS expires_on, status FROM driving_licences WHERE dni = ANY($1)`,
        [PERSONAS],
      );
      const licence = Object.fromEntries(licences.rows.map((row) => [row.dni, row]));
      expect(licence[ANA]).toEqual({ dni: ANA, expires_on: shift(today, 30), status: 'VALID' });
      expect(licence[LUIS]).toEqual({ dni: LUIS, expires_on: shift(today, -40), status: 'VALID' }); // EXPIRED, derived
      expect(licence[ROSA]).toBeUndefined();
      // Every persona's exam is one row, and Ana's and Luis's approved exams are current on the day.
      const exams = await opened.db.query<{ dni: string; n: number; current: boolean }>(
        `SELECT dni, count(*)::int AS n, bool_and(result = 'APPROVED' AND taken_on <= $2::date AND valid_until >= $2::date) AS current
           FROM medical_exams WHERE dni = ANY($1) GROUP BY dni ORDER BY dni`,
        [PERSONAS, isoDate(today)],
      );
      expect(exams.rows).toEqual([
        { dni: ANA, n: 1, current: true },
        { dni: JORGE, n: 1, current: false },
        { dni: LUIS, n: 1, current: true },
        { dni: CARMEN, n: 1, current: true },
      ].sort((a, b) => a.dni.localeCompare(b.dni)));
      const unpaid = await opened.db.query<{ dni: string; code: string }>(
        `SELECT dni, code FROM traffic_fines WHERE dni = ANY($1) AND status = 'UNPAID' ORDER BY code`,
        [PERSONAS],
      );
      expect(unpaid.rows).toEqual([
        { dni: LUIS, code: 'G10' },
        { dni: LUIS, code: 'L02' },
      ]);
    });
  });
});

describe('taxes: seeding again on later days', () => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(taxesService);
  });
  afterAll(async () => {
    await opened?.close();
  });

  const COUNTS = `SELECT (SELECT count(*) FROM taxpayers)::int AS taxpayers, (SELECT count(*) FROM tax_debts)::int AS debts`;
  const monthPeriod = (today: Date, monthsBack: number) =>
    isoDate(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - monthsBack, 1))).slice(0, 7);

  it("keeps Jorge's debt in coactive collection for periods relative to each new day, and adds no row", async () => {
    let counts: unknown;
    await seedOn(taxesService, opened.db, DAYS, async (today) => {
      counts ??= (await opened.db.query(COUNTS)).rows[0];
      expect((await opened.db.query(COUNTS)).rows[0]).toEqual(counts);
      const jorge = await opened.db.query<{ ruc: string; period: string; status: string }>(
        `SELECT t.ruc, d.period, d.status FROM taxpayers t JOIN tax_debts d USING (ruc) WHERE t.dni = $1 ORDER BY d.id`,
        [JORGE],
      );
      expect(jorge.rows).toEqual([
        { ruc: '10432187654', period: String(today.getUTCFullYear() - 2), status: 'IN_COACTIVE_COLLECTION' },
        { ruc: '10432187654', period: monthPeriod(today, 14), status: 'IN_COACTIVE_COLLECTION' },
        { ruc: '10432187654', period: monthPeriod(today, 13), status: 'PAID' },
        { ruc: '10432187654', period: monthPeriod(today, 2), status: 'PENDING' },
      ]);
      const registered = await opened.db.query<{ dni: string; registered_on: string }>(
        `SELECT dni, to_char(registered_on, 'YYYY-MM-DD') AS registered_on FROM taxpayers WHERE dni = ANY($1) ORDER BY dni`,
        [PERSONAS],
      );
      expect(registered.rows).toEqual([
        { dni: ANA, registered_on: shift(today, -2190) },
        { dni: JORGE, registered_on: shift(today, -3650) },
        { dni: CARMEN, registered_on: shift(today, -45) },
      ].sort((a, b) => a.dni.localeCompare(b.dni)));
    });
  });
});

/** Carmen's three applications (domain.md §6): procedure -> status, days before the seed's day, timeline length. */
const CARMEN_APPLICATIONS = {
  'revalidar-licencia-de-conducir': { status: 'READY_FOR_PICKUP', submittedDaysAgo: 20, events: 4 },
  'duplicado-de-dni': { status: 'IN_REVIEW', submittedDaysAgo: 6, events: 2 },
  'inscribirse-en-el-ruc': { status: 'COMPLETED', submittedDaysAgo: 45, events: 2 },
} as const;

const PORTAL_COUNTS = `SELECT (SELECT count(*) FROM applications)::int AS applications, (SELECT count(*) FROM application_events)::int AS events,
  (SELECT count(*) FROM procedures)::int AS procedures, (SELECT last_value FROM application_number)::int AS sequence`;

/** Carmen's seeded applications by procedure: case number, status, submission day and timeline. */
async function carmensSeeded(db: Database) {
  const result = await db.query<{ procedure_slug: string; id: string; status: string; submitted_on: string; events: number; statuses: string[] }>(
    `SELECT a.procedure_slug, a.id, a.status, to_char(a.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS submitted_on,
            (SELECT count(*)::int FROM application_events e WHERE e.application_id = a.id) AS events,
            (SELECT array_agg(e.status ORDER BY e.at) FROM application_events e WHERE e.application_id = a.id) AS statuses
       FROM applications a WHERE a.dni = $1 AND a.seeded ORDER BY a.procedure_slug`,
    [CARMEN],
  );
  return result.rows;
}

/** Applications whose row disagrees with its own timeline (first event = submitted, last = updated and status). */
async function inconsistentApplications(db: Database): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT a.id FROM applications a
       LEFT JOIN LATERAL (SELECT min(at) AS first, max(at) AS last, count(*) AS n FROM application_events e WHERE e.application_id = a.id) t ON true
      WHERE t.n = 0 OR t.first <> a.submitted_at OR t.last <> a.updated_at
         OR a.status <> (SELECT e.status FROM application_events e WHERE e.application_id = a.id ORDER BY e.at DESC LIMIT 1)`,
  );
  return result.rows.map((row) => row.id);
}

function expectCarmensStory(rows: Awaited<ReturnType<typeof carmensSeeded>>, today: Date, ids?: Record<string, string>) {
  expect(rows.map((row) => row.procedure_slug).sort()).toEqual(Object.keys(CARMEN_APPLICATIONS).sort());
  for (const row of rows) {
    const story = CARMEN_APPLICATIONS[row.procedure_slug as keyof typeof CARMEN_APPLICATIONS];
    expect(row.status).toBe(story.status);
    expect(row.submitted_on).toBe(shift(today, -story.submittedDaysAgo));
    expect(row.events).toBe(story.events);
    expect(row.statuses.at(-1)).toBe(story.status);
    expect(row.statuses[0]).toBe('SUBMITTED');
    if (ids) expect(row.id).toBe(ids[row.procedure_slug]);
  }
}

/** A citizen's own application, as the mutation starts it, with its timeline: what a re-seed must not touch. */
async function ownApplication(db: Database, id: string) {
  return {
    application: (
      await db.query(
        `SELECT id, dni, procedure_slug, channel, office_id, status, next_step, submitted_at::text, updated_at::text, idempotency_key
           FROM applications WHERE id = $1`,
        [id],
      )
    ).rows,
    events: (await db.query('SELECT application_id, at::text, status, note FROM application_events WHERE application_id = $1 ORDER BY at', [id])).rows,
  };
}

describe.each(['postgres', 'pglite'] as const)('portal on %s: seeding again on later days', (engine) => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(portalService, engine);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("keeps Carmen's three applications and their case numbers, rewrites their timelines, adds no row and leaves a citizen's own application alone", async () => {
    const [first, ...later] = DAYS as [Date, ...Date[]];
    await portalService.seed(opened.db, { citizens: CITIZENS, today: first });
    const ids = Object.fromEntries((await carmensSeeded(opened.db)).map((row) => [row.procedure_slug, row.id]));
    expectCarmensStory(await carmensSeeded(opened.db), first);

    // Carmen (and Ana) start applications of their own, as the mutation does.
    const store = new PortalStore(opened.db);
    const started = await Promise.all([
      store.startApplication({ dni: CARMEN, procedureSlug: 'renovar-dni', channel: 'ONLINE', officeId: null, idempotencyKey: 'carmen-own-0001', status: 'SUBMITTED', nextStep: null, note: 'Received.', dueOn: '2026-12-31' }).then(made),
      store.startApplication({ dni: ANA, procedureSlug: 'renovar-dni', channel: 'ONLINE', officeId: null, idempotencyKey: 'ana-own-0001', status: 'SUBMITTED', nextStep: null, note: 'Received.', dueOn: '2026-12-31' }).then(made),
    ]);
    const own = await Promise.all(started.map(({ application }) => ownApplication(opened.db, application.id)));
    expect(own.map((application) => application.events.length)).toEqual([1, 1]);

    const counts = (await opened.db.query(PORTAL_COUNTS)).rows[0];
    const generated = (await opened.db.query(`SELECT * FROM applications WHERE seeded AND dni <> $1 ORDER BY id`, [CARMEN])).rows;
    expect(generated.length).toBeGreaterThan(0);

    for (const today of later) {
      await portalService.seed(opened.db, { citizens: CITIZENS, today });
      expect((await opened.db.query(PORTAL_COUNTS)).rows[0]).toEqual(counts);
      expectCarmensStory(await carmensSeeded(opened.db), today, ids);
      expect(await inconsistentApplications(opened.db)).toEqual([]);
      for (const [k, { application }] of started.entries()) expect(await ownApplication(opened.db, application.id)).toEqual(own[k]);
    }
    // Generated citizens' applications are written once and kept: never a second copy.
    expect((await opened.db.query(`SELECT * FROM applications WHERE seeded AND dni <> $1 ORDER BY id`, [CARMEN])).rows).toEqual(generated);
    const carmen = await opened.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = $1', [CARMEN]);
    expect(carmen.rows[0]!.n).toBe(4); // her three seeded ones and her own
    // Seeding again the same day changes nothing at all.
    const snapshot = async () =>
      (await opened.db.query(`SELECT md5(string_agg(a::text, '|' ORDER BY a.id)) AS apps,
         (SELECT md5(string_agg(e::text, '|' ORDER BY e.application_id, e.at)) FROM application_events e) AS events FROM applications a`)).rows[0];
    const before = await snapshot();
    await portalService.seed(opened.db, { citizens: CITIZENS, today: LAST });
    expect(await snapshot()).toEqual(before);
  });
});

/** Every catalogue table, as one digest per table: equal digests, equal rows. */
async function catalogueSnapshot(db: Database) {
  const digest = (table: string, order: string) => `(SELECT md5(string_agg(t::text, '|' ORDER BY ${order})) FROM ${table} t) AS ${table}`;
  const tables = [
    digest('agencies', 'code'),
    digest('offices', 'id'),
    digest('procedures', 'slug'),
    digest('procedure_requirements', 'slug, position'),
    digest('procedure_channels', 'slug, kind'),
    digest('channel_offices', 'slug, kind, office_id'),
  ];
  return (await db.query(`SELECT ${tables.join(', ')}`)).rows[0];
}

describe.each(['postgres', 'pglite'] as const)('portal on %s: the catalogue follows catalogue.ts on every seed', (engine) => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(portalService, engine);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('changes nothing when nothing changed, and restates fees, titles, search text and requirements that did', async () => {
    await portalService.seed(opened.db, { citizens: CITIZENS, today: TEST_TODAY });
    const seeded = await catalogueSnapshot(opened.db);
    await seedCatalogue(opened.db);
    expect(await catalogueSnapshot(opened.db)).toEqual(seeded);

    // The database as an older catalogue left it: another fee and title, a status check described and
    // owned otherwise, and a requirement the catalogue no longer has.
    await opened.db.exec(`
      UPDATE procedures SET fee_amount = 99.99, title = 'Renovación del DNI (antiguo)', search_text = 'renovacion del dni (antiguo)'
       WHERE slug = 'renovar-dni';
      UPDATE procedure_requirements SET description = 'Old words.', agency_code = 'SUNAT' WHERE code = 'dni-valid';
      INSERT INTO procedure_requirements (slug, position, code, kind, description, agency_code)
      VALUES ('renovar-dni', 9, 'old-photo', 'DOCUMENT', 'A photo.', 'RENIEC');`);
    await portalService.seed(opened.db, { citizens: CITIZENS, today: TEST_TODAY });
    expect(await catalogueSnapshot(opened.db)).toEqual(seeded);

    const renewal = PROCEDURES.find((procedure) => procedure.slug === 'renovar-dni')!;
    const restated = await opened.db.query(`SELECT fee_amount::text AS fee, title, search_text FROM procedures WHERE slug = 'renovar-dni'`);
    expect(restated.rows).toEqual([{
      fee: renewal.fee.amount,
      title: renewal.title,
      search_text: searchKey(`${renewal.title} ${renewal.summary}`),
    }]);
    expect(renewal.fee.amount).toBe('30.00');
    const found = await new PortalStore(opened.db).findProcedures({ words: ['antiguo'], agencyCode: null }, null, 10);
    expect(found).toEqual([]);
  });
});

describe('portal: a database with applications older than its first seed', () => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await openMigrated(portalService);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("leaves them alone, even one holding a seed key or the case number Carmen's application would take", async () => {
    // A day on which Carmen's revalidation (20 days before) and duplicate (6 days before) were submitted
    // this year, so that their case numbers are the ones the citizens' applications below hold.
    const thisYear = TEST_TODAY.getUTCFullYear();
    const seedDay = TEST_TODAY.getTime() >= Date.UTC(thisYear, 0, 21) ? TEST_TODAY : new Date(Date.UTC(thisYear, 0, 21));
    await seedCatalogue(opened.db); // the catalogue is reference data, there before any application
    const store = new PortalStore(opened.db);
    // A fresh sequence: these take serials 1 and 2, those of Carmen's revalidation and duplicate.
    const early = made(await store.startApplication({ dni: CARMEN, procedureSlug: 'renovar-dni', channel: 'ONLINE', officeId: null, idempotencyKey: 'early-key-0001', status: 'SUBMITTED', nextStep: null, note: 'Received.', dueOn: '2026-12-31' }));
    // The store does not police keys: a citizen's key may be the one the seed gives a generated citizen's application.
    const index = Array.from({ length: CITIZENS }, (_, i) => i).find((i) => generatedApplication(i, seedDay) !== null)!;
    const lookalike = made(await store.startApplication({ dni: generatedDni(index), procedureSlug: 'renovar-dni', channel: 'ONLINE', officeId: null, idempotencyKey: `seed-${1000 + index}`, status: 'SUBMITTED', nextStep: null, note: 'Received.', dueOn: '2026-12-31' }));
    expect([early, lookalike].map(({ application }) => application.id)).toEqual([`CUT-${thisYear}-000001`, `CUT-${thisYear}-000002`]);
    const before = await Promise.all([early, lookalike].map(({ application }) => ownApplication(opened.db, application.id)));

    for (const today of [seedDay, addDays(seedDay, 1), addDays(seedDay, 40)]) {
      await portalService.seed(opened.db, { citizens: CITIZENS, today });
      expect(await Promise.all([early, lookalike].map(({ application }) => ownApplication(opened.db, application.id)))).toEqual(before);
      const seeded = await carmensSeeded(opened.db);
      expectCarmensStory(seeded, today);
      expect(seeded.map((row) => row.id)).not.toContain(early.application.id);
      expect(seeded.map((row) => row.id)).not.toContain(lookalike.application.id);
    }
    const ofGenerated = await opened.db.query('SELECT id FROM applications WHERE dni = $1', [generatedDni(index)]);
    expect(ofGenerated.rows).toEqual([{ id: lookalike.application.id }]);
    expect(await inconsistentApplications(opened.db)).toEqual([]);
  });
});

describe.each(['postgres', 'pglite'] as const)('portal on %s: migration 002 on a database seeded before it', (engine) => {
  let opened: Opened;
  beforeAll(async () => {
    // The database as it was: 001 applied and seeded by the old seed on three different days. The
    // catalogue is written by today's seedCatalogue, which restates the officials too: 003's table
    // and 005's column must be there for it, and 002 touches only applications and their events.
    opened = await openAtInit(portalService, engine, ['003_officials.sql', '005_information_only.sql']);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("keeps Carmen's first case numbers, drops the later copies and garbled timelines, and never a citizen's own", async () => {
    await seedCatalogue(opened.db);
    const app = (id: string, dni: string, slug: string, channel: string, office: string | null, status: string, submitted: string, updated: string, key = `seed-${id}`) =>
      `('${id}', '${dni}', '${slug}', '${channel}', ${office ? `'${office}'` : 'NULL'}, '${status}', '${submitted}', '${updated}', '${key}')`;
    // What the old seed left after seeding on 2026-01-20, 01-21 and 02-25 (the review's finding), plus a
    // generated citizen's application seeded twice, and a citizen's own application.
    await opened.db.exec(`
      INSERT INTO applications (id, dni, procedure_slug, channel, office_id, status, submitted_at, updated_at, idempotency_key) VALUES
        ${app('CUT-2025-000001', CARMEN, 'revalidar-licencia-de-conducir', 'IN_PERSON', 'mac-lima-norte', 'READY_FOR_PICKUP', '2025-12-31T14:10:00Z', '2026-01-05T10:30:00Z')},
        ${app('CUT-2025-000003', CARMEN, 'inscribirse-en-el-ruc', 'ONLINE', null, 'COMPLETED', '2025-12-06T13:20:00Z', '2025-12-06T13:25:00Z')},
        ${app('CUT-2026-000001', CARMEN, 'revalidar-licencia-de-conducir', 'IN_PERSON', 'mac-lima-norte', 'READY_FOR_PICKUP', '2026-02-05T14:10:00Z', '2026-02-10T10:30:00Z')},
        ${app('CUT-2026-000002', CARMEN, 'duplicado-de-dni', 'ONLINE', null, 'IN_REVIEW', '2026-01-14T21:15:00Z', '2026-01-15T15:00:00Z')},
        ${app('CUT-2026-000003', CARMEN, 'inscribirse-en-el-ruc', 'ONLINE', null, 'COMPLETED', '2026-01-11T13:20:00Z', '2026-01-11T13:25:00Z')},
        ${app('CUT-2026-001000', generatedDni(0), 'renovar-dni', 'ONLINE', null, 'IN_REVIEW', '2026-01-02T13:00:00Z', '2026-01-09T15:00:00Z')},
        ${app('CUT-2026-001300', ANA, 'renovar-dni', 'ONLINE', null, 'SUBMITTED', '2026-02-01T12:00:00Z', '2026-02-01T12:00:00Z', 'ana-own-key-0001')};
      INSERT INTO application_events (application_id, at, status, note) VALUES
        ('CUT-2025-000001', '2025-12-31T14:10:00Z', 'SUBMITTED', 'x'), ('CUT-2025-000001', '2026-01-01T14:10:00Z', 'SUBMITTED', 'x'),
        ('CUT-2026-000002', '2026-01-14T21:15:00Z', 'SUBMITTED', 'x'), ('CUT-2026-000002', '2026-01-15T21:15:00Z', 'SUBMITTED', 'x'),
        ('CUT-2026-000001', '2026-02-05T14:10:00Z', 'SUBMITTED', 'x'),
        ('CUT-2026-001000', '2026-01-02T13:00:00Z', 'SUBMITTED', 'x'), ('CUT-2026-001000', '2026-01-03T13:00:00Z', 'SUBMITTED', 'x'),
        ('CUT-2026-001300', '2026-02-01T12:00:00Z', 'SUBMITTED', 'Received.');
      SELECT setval('application_number', 1300);
    `);
    const own = await ownApplication(opened.db, 'CUT-2026-001300');

    // 004 (the lifecycle's columns), 006 (due dates, event ids) and 007 (the record kept) come after, and only add.
    expect(await migrate(opened.db, portalService.migrations)).toEqual(['002_seeded_applications.sql', '004_lifecycle.sql', '006_queue.sql', '007_append_only.sql', '008_record_kept.sql']);
    const today = date('2026-03-01');
    await portalService.seed(opened.db, { citizens: CITIZENS, today });

    const seeded = await carmensSeeded(opened.db);
    expectCarmensStory(seeded, today, {
      'revalidar-licencia-de-conducir': 'CUT-2025-000001',
      'duplicado-de-dni': 'CUT-2026-000002',
      'inscribirse-en-el-ruc': 'CUT-2025-000003',
    });
    expect((await opened.db.query('SELECT count(*)::int AS n FROM applications WHERE dni = $1', [CARMEN])).rows).toEqual([{ n: 3 }]);
    expect(await ownApplication(opened.db, 'CUT-2026-001300')).toEqual(own);
    expect(await inconsistentApplications(opened.db)).toEqual([]);
    // Every garbled event is gone: Carmen's timelines are rewritten, the generated citizen's old copy dropped.
    expect((await opened.db.query(`SELECT count(*)::int AS n FROM application_events WHERE note = 'x'`)).rows).toEqual([{ n: 0 }]);
    const generated0 = await opened.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = $1', [generatedDni(0)]);
    expect(generated0.rows[0]!.n).toBe(generatedApplication(0, today) ? 1 : 0);
    // The sequence stays past every case number: the next application a citizen starts is new.
    // (Another procedure: her renewal, CUT-2026-001300, is still open.)
    const next = made(await new PortalStore(opened.db).startApplication({ dni: ANA, procedureSlug: 'duplicado-de-dni', channel: 'ONLINE', officeId: null, idempotencyKey: 'ana-own-key-0002', status: 'SUBMITTED', nextStep: null, note: 'Received.', dueOn: '2026-12-31' }));
    expect(Number(next.application.id.split('-')[2])).toBeGreaterThan(1300);
  });
});

describe.each(['postgres', 'pglite'] as const)('identity and transport on %s: migration 002 on a database seeded before it', (engine) => {
  it('identity: drops the marriage records a later seed gave a generated citizen still recorded as single', async () => {
    const opened = await openAtInit(identityService, engine);
    try {
      await opened.db.exec(`
        INSERT INTO citizens VALUES ('50000001', 'Luz', 'Ramos', 'Cruz', '2003-01-10', 'SINGLE'), ('50000002', 'José', 'Ríos', 'Pari', '1980-05-02', 'DIVORCED'),
          ('${ROSA}', 'Rosa Elena', 'Condori', 'Ccama', '1996-06-21', 'SINGLE');
        INSERT INTO civil_records VALUES ('100000001', '50000001', 'BIRTH', '2003-01-20', 'Puno, Puno', true),
          ('200000001', '50000001', 'MARRIAGE', '2026-01-01', 'Puno, Puno', true),
          ('200000002', '50000002', 'MARRIAGE', '2006-01-01', 'Puno, Puno', true), ('300000002', '50000002', 'DIVORCE', '2012-01-01', 'Puno, Puno', true);`);
      expect(await migrate(opened.db, identityService.migrations)).toEqual(['002_generated_records_agree.sql']);
      const records = await opened.db.query('SELECT record_number FROM civil_records ORDER BY record_number');
      expect(records.rows).toEqual([{ record_number: '100000001' }, { record_number: '200000002' }, { record_number: '300000002' }]);
    } finally {
      await opened.close();
    }
  });

  it("transport: keeps a generated fine's first number and drops the copies later seeds wrote", async () => {
    const opened = await openAtInit(transportService, engine);
    try {
      const fine = (number: string, dni: string, issued: string) => `('${number}', '${dni}', NULL, 'L02', 'x', 214.00, '${issued}', 'UNPAID')`;
      await opened.db.exec(`INSERT INTO traffic_fines VALUES
        ${fine('SAT-2025-1000004', '50000001', '2025-12-20')}, ${fine('SAT-2026-1000004', '50000001', '2026-01-20')},
        ${fine('SAT-2027-1000004', '50000001', '2027-01-02')}, ${fine('SAT-2025-1000005', '50000001', '2025-06-01')},
        ${fine('SAT-2025-0000123', LUIS, '2025-03-14')}, ${fine('SAT-2026-0000123', LUIS, '2026-03-14')};`);
      expect(await migrate(opened.db, transportService.migrations)).toEqual(['002_generated_fines_once.sql']);
      const fines = await opened.db.query('SELECT number FROM traffic_fines ORDER BY number');
      expect(fines.rows.map((row) => row.number)).toEqual(['SAT-2025-0000123', 'SAT-2025-1000004', 'SAT-2025-1000005', 'SAT-2026-0000123']);
    } finally {
      await opened.close();
    }
  });
});
