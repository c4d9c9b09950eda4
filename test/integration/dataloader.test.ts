import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphName } from '../../subgraphs/shared/config.js';
import type { Database } from '../../subgraphs/shared/db.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { agencyToken, graphql, type Credentials } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { countStatementsPerTable } from '../helpers/subgraph.js';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';

/**
 * N+1 through the whole platform: one gateway query over 100 citizens' records in every agency costs
 * each subgraph one SQL statement per table it reads, not one per citizen. Counted with each database's
 * `onStatement` hook while the query runs. Every agency also records the reads, all of them in one
 * transaction at the end of its request: a lock, the chain's head, one INSERT (RECORDING).
 */
let platform: Platform;
let token: Credentials;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 150 });
  token = await agencyToken(['identity:read', 'transport:read', 'taxes:read', 'portal:read']);
});
afterAll(async () => {
  await platform?.close();
});

const EVERYTHING = `query Everything($dnis: [ID!]!) {
  citizens(dnis: $dnis) {
    dni
    fullName
    identityDocument { number kind expiresOn status }
    civilRecords { recordNumber kind digitised }
    drivingLicence { number class expiresOn status points }
    trafficFines { number code amount { amount currency } status }
    vehicles { plate make model year }
    medicalExam { takenOn result validUntil }
    taxpayer { ruc status debts { period concept amount { amount } status } }
    applications { id status procedure { slug agency { code } } office { id name } timeline { at status } }
  }
}`;

type Counts = Record<SubgraphName, Record<string, number>>;

/** What writing a request's reads to the access record costs, however many citizens were read. */
const RECORDING = { 'SELECT pg_advisory_xact_lock($1)': 1, access_record: 2 };

/** Statements per table, per subgraph, while `work` runs. */
const countStatements = <T>(work: () => Promise<T>) =>
  countStatementsPerTable(
    Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.db])) as Record<SubgraphName, Database>,
    work,
  );

const dnis = (n: number) => Array.from({ length: n }, (_, i) => generatedDni(i));

interface CitizenRecord {
  dni: string;
  fullName: string;
  identityDocument: { number: string } | null;
  civilRecords: unknown[];
  drivingLicence: unknown | null;
  trafficFines: { amount: { amount: string } }[];
  vehicles: unknown[];
  medicalExam: unknown | null;
  taxpayer: { ruc: string; debts: unknown[] } | null;
  applications: { id: string; office: unknown | null; timeline: unknown[] }[];
}

describe('100 citizens, every agency, one gateway query', () => {
  let citizens: CitizenRecord[];
  let counts: Counts;

  beforeAll(async () => {
    const measured = await countStatements(() => graphql(platform.url, EVERYTHING, { dnis: dnis(100) }, token));
    expect(measured.result.errors, JSON.stringify(measured.result.errors?.slice(0, 3))).toBeUndefined();
    citizens = measured.result.data.citizens;
    counts = measured.counts;
    console.log(`SQL statements for 100 citizens' records in one gateway query: ${JSON.stringify(counts, null, 2)}`);
  });

  it('answers all 100, in the order asked, with real records from each agency', async () => {
    expect(citizens.map((citizen) => citizen.dni)).toEqual(dnis(100));
    for (const citizen of citizens) {
      expect(citizen.fullName.split(' ').length).toBeGreaterThanOrEqual(3);
      expect(citizen.identityDocument?.number).toBe(citizen.dni);
      for (const fine of citizen.trafficFines) expect(fine.amount.amount).toMatch(/^\d+\.\d{2}$/);
    }
    // What the gateway answered is what each agency's database holds, not a sample of it.
    const asked = dnis(100);
    const one = async (name: SubgraphName, sql: string) => Number((await platform.subgraphs[name].db.query<{ n: string }>(sql, [asked])).rows[0]!.n);
    expect(citizens.filter((citizen) => citizen.drivingLicence).length).toBe(await one('transport', 'SELECT count(*)::text AS n FROM driving_licences WHERE dni = ANY($1)'));
    expect(citizens.reduce((sum, citizen) => sum + citizen.trafficFines.length, 0)).toBe(await one('transport', 'SELECT count(*)::text AS n FROM traffic_fines WHERE dni = ANY($1)'));
    expect(citizens.reduce((sum, citizen) => sum + citizen.vehicles.length, 0)).toBe(await one('transport', 'SELECT count(*)::text AS n FROM vehicles WHERE owner_dni = ANY($1)'));
    expect(citizens.filter((citizen) => citizen.taxpayer).length).toBe(await one('taxes', 'SELECT count(*)::text AS n FROM taxpayers WHERE dni = ANY($1)'));
    expect(citizens.reduce((sum, citizen) => sum + citizen.applications.length, 0)).toBe(await one('portal', 'SELECT count(*)::text AS n FROM applications WHERE dni = ANY($1)'));
    expect(citizens.reduce((sum, citizen) => sum + citizen.civilRecords.length, 0)).toBe(await one('identity', 'SELECT count(*)::text AS n FROM civil_records WHERE dni = ANY($1)'));
    // The generated population is varied enough for the counts below to mean something.
    expect(citizens.filter((citizen) => citizen.drivingLicence).length).toBeGreaterThan(20);
    expect(citizens.filter((citizen) => citizen.taxpayer).length).toBeGreaterThan(10);
    expect(citizens.filter((citizen) => citizen.applications.length).length).toBeGreaterThan(2);
    for (const citizen of citizens) if (citizen.taxpayer) expect(citizen.taxpayer.ruc).toBe(rucForDni(citizen.dni));
  });

  it('identity: one statement per table (citizens, identity_documents, civil_records)', () => {
    expect(counts.identity).toEqual({ citizens: 1, identity_documents: 1, civil_records: 1, ...RECORDING });
  });

  it('transport: one statement per table (licences, fines, vehicles, medical exams)', () => {
    expect(counts.transport).toEqual({ driving_licences: 1, traffic_fines: 1, vehicles: 1, medical_exams: 1, ...RECORDING });
  });

  it('taxes: one statement per table (taxpayers, tax_debts)', () => {
    expect(counts.taxes).toEqual({ taxpayers: 1, tax_debts: 1, ...RECORDING });
  });

  it('portal: one statement per table it needs (at most 5)', () => {
    const withOffice = citizens.some((citizen) => citizen.applications.some((application) => application.office));
    expect(withOffice).toBe(true);
    expect(counts.portal).toEqual({ applications: 1, application_events: 1, procedures: 1, agencies: 1, offices: 1, ...RECORDING });
  });
});

it('costs the same statements for 10 citizens as for 100, recording included: the count does not grow with N', async () => {
  const ten = await countStatements(() => graphql(platform.url, EVERYTHING, { dnis: dnis(10) }, token));
  const hundred = await countStatements(() => graphql(platform.url, EVERYTHING, { dnis: dnis(100) }, token));
  expect(ten.result.errors).toBeUndefined();
  expect(hundred.result.errors).toBeUndefined();
  const total = (counts: Counts) => Object.values(counts).flatMap((tables) => Object.values(tables)).reduce((a, b) => a + b, 0);
  // Ten citizens may need fewer tables (none of them with an office, say), never more.
  expect(total(ten.counts)).toBeLessThanOrEqual(total(hundred.counts));
  expect(total(hundred.counts)).toBe(14 + 4 * 3);
  for (const measured of [ten.counts, hundred.counts]) {
    for (const tables of Object.values(measured)) {
      for (const [table, n] of Object.entries(tables)) expect(n, table).toBe(table === 'access_record' ? 2 : 1);
    }
  }
});
