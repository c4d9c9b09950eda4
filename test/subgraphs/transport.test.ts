import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { transportService } from '../../subgraphs/transport/createSubgraph.js';
import { agencyToken, citizenToken, errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, PERSONAS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';

/** An ISO date `days` from TEST_TODAY, as the seed writes the personas' licences and exams. */
const day = (days: number) => isoDate(addDays(TEST_TODAY, days));
/** The same calendar day `years` earlier (a licence's issue date, from its expiry date). */
function yearsBefore(iso: string, years: number): string {
  const [year, month, dayOfMonth] = iso.split('-').map(Number) as [number, number, number];
  return isoDate(new Date(Date.UTC(year - years, month - 1, dayOfMonth)));
}

const RECORDS = `query Records($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Citizen {
      dni
      drivingLicence { number class issuedOn expiresOn status points }
      trafficFines { number code description amount { amount currency } issuedOn status plate }
      vehicles { plate make model year colour }
      medicalExam { takenOn result centre validUntil }
    }
  }
}`;

const FINES_BY_STATUS = `query Fines($representations: [_Any!]!, $status: FineStatus) {
  _entities(representations: $representations) { ... on Citizen { trafficFines(status: $status) { number status } } }
}`;

const VEHICLES = `query Vehicles($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Vehicle { plate make model year colour } }
}`;

const VEHICLE_BY_PLATE = `query Vehicle($plate: ID!) { vehicle(plate: $plate) { plate make model year colour } }`;

const CHECKS = `query Checks($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Procedure { slug transportChecks { code status detail } } }
}`;

const citizen = (dni: string) => ({ __typename: 'Citizen', dni });
const vehicle = (plate: string) => ({ __typename: 'Vehicle', plate });
const procedure = (slug: string, requirementCodes: string[]) => ({ __typename: 'Procedure', slug, requirementCodes });

const ANA_VEHICLE = { plate: 'BKR-512', make: 'Toyota', model: 'Yaris', year: 2019, colour: 'Plata' };

const ANA_RECORDS = {
  dni: ANA,
  drivingLicence: { number: 'Q41234567', class: 'A_I', issuedOn: yearsBefore(day(30), 10), expiresOn: day(30), status: 'VALID', points: 0 },
  trafficFines: [],
  vehicles: [ANA_VEHICLE],
  medicalExam: { takenOn: day(-14), result: 'APPROVED', centre: 'Policlínico de Conductores Santiago de Surco', validUntil: day(-14 + 182) },
};

const LUIS_RECORDS = {
  dni: LUIS,
  // Stored VALID: EXPIRED is what the subgraph derives from the expiry date.
  drivingLicence: { number: 'Q45678912', class: 'A_I', issuedOn: yearsBefore(day(-40), 10), expiresOn: day(-40), status: 'EXPIRED', points: 35 },
  trafficFines: [
    { number: 'SAT-2025-0000457', code: 'G10', description: 'Exceder los límites máximos de velocidad establecidos.', amount: { amount: '428.00', currency: 'PEN' }, issuedOn: '2025-08-22', status: 'UNPAID', plate: 'CHT-408' },
    { number: 'SAT-2025-0000123', code: 'L02', description: 'Estacionar en zona prohibida por la señalización.', amount: { amount: '214.00', currency: 'PEN' }, issuedOn: '2025-03-14', status: 'UNPAID', plate: 'CHT-408' },
    { number: 'SAT-2023-0000089', code: 'L08', description: 'Usar la bocina innecesariamente o con sonido estridente.', amount: { amount: '198.00', currency: 'PEN' }, issuedOn: '2023-05-30', status: 'PAID', plate: 'CHT-408' },
  ],
  vehicles: [{ plate: 'CHT-408', make: 'Hyundai', model: 'Accent', year: 2016, colour: 'Gris' }],
  medicalExam: { takenOn: day(-9), result: 'APPROVED', centre: 'Centro Médico Vial Lima Norte (Los Olivos)', validUntil: day(-9 + 182) },
};

let running: RunningSubgraph;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  running = await startSubgraph(transportService, { citizens: 120 });
  for (const dni of PERSONAS) tokens[dni] = await citizenToken(dni);
  tokens.transportAgency = await agencyToken(['transport:read']);
  tokens.identityAgency = await agencyToken(['identity:read']);
});

afterAll(async () => {
  await running?.close();
});

describe('transport subgraph contract', () => {
  it('publishes its SDL through _service', async () => {
    await expectPublishedSdl(running.url, transportService.typeDefs);
  });

  describe('Citizen entity', () => {
    it('gives Ana her licence (valid, expiring in 30 days), approved exam, vehicle and no fines', async () => {
      const response = await graphql(running.url, RECORDS, { representations: [citizen(ANA)] }, tokens[ANA]);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_RECORDS]);
    });

    it('gives Luis his expired licence and his fines newest first, amounts as exact strings of the 2025 UIT', async () => {
      const response = await graphql(running.url, RECORDS, { representations: [citizen(LUIS)] }, tokens[LUIS]);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([LUIS_RECORDS]);
    });

    it('filters fines by status', async () => {
      const numbers = async (status: string | null) => {
        const response = await graphql(running.url, FINES_BY_STATUS, { representations: [citizen(LUIS)], status }, tokens[LUIS]);
        expect(response.errors).toBeUndefined();
        return response.data._entities[0].trafficFines.map((fine: { number: string }) => fine.number);
      };
      expect(await numbers('UNPAID')).toEqual(['SAT-2025-0000457', 'SAT-2025-0000123']);
      expect(await numbers('PAID')).toEqual(['SAT-2023-0000089']);
      expect(await numbers('IN_COACTIVE_COLLECTION')).toEqual([]);
      expect(await numbers(null)).toHaveLength(3);
    });

    it('gives Jorge his A-IIa licence and his one paid fine (8 % of the 2024 UIT), and Rosa nothing at all', async () => {
      const jorge = await graphql(running.url, RECORDS, { representations: [citizen(JORGE)] }, tokens[JORGE]);
      expect(jorge.errors).toBeUndefined();
      expect(jorge.data._entities[0]).toMatchObject({
        drivingLicence: { number: 'Q43218765', class: 'A_IIA', expiresOn: day(900), status: 'VALID', points: 20 },
        trafficFines: [{ number: 'SAT-2024-0000318', code: 'G24', amount: { amount: '412.00', currency: 'PEN' }, status: 'PAID', plate: 'ARX-731' }],
        vehicles: [{ plate: 'ARX-731', make: 'Toyota', model: 'Corolla' }],
      });
      const rosa = await graphql(running.url, RECORDS, { representations: [citizen(ROSA)] }, tokens[ROSA]);
      expect(rosa.errors).toBeUndefined();
      expect(rosa.data._entities).toEqual([{ dni: ROSA, drivingLicence: null, trafficFines: [], vehicles: [], medicalExam: null }]);
    });

    it("refuses another citizen's token, an agency without transport:read, and no token: FORBIDDEN", async () => {
      for (const token of [tokens[LUIS], tokens.identityAgency, undefined]) {
        const response = await graphql(running.url, RECORDS, { representations: [citizen(ANA)] }, token);
        // trafficFines and vehicles are non-null, so the first refusal among them nulls the whole entity.
        expect(errorCodes(response).length).toBeGreaterThan(0);
        expect(new Set(errorCodes(response))).toEqual(new Set(['FORBIDDEN']));
        expect(response.data._entities).toEqual([null]);
      }
    });

    it('lets an agency with transport:read read anyone', async () => {
      const response = await graphql(running.url, RECORDS, { representations: [citizen(ANA), citizen(LUIS)] }, tokens.transportAgency);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_RECORDS, LUIS_RECORDS]);
    });

    it('gives BAD_USER_INPUT for a malformed DNI in a representation', async () => {
      const response = await graphql(running.url, RECORDS, { representations: [citizen('4123456'), citizen(ANA)] }, tokens.transportAgency);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toBe('"4123456" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
      expect(response.data._entities).toEqual([null, ANA_RECORDS]);
    });
  });

  describe('Vehicle entity and Query.vehicle', () => {
    it('resolves a Vehicle by its plate key, however the plate is typed; null when unregistered', async () => {
      const response = await graphql(running.url, VEHICLES, { representations: [vehicle('BKR-512'), vehicle('bkr512'), vehicle('ZZ-9999')] });
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_VEHICLE, ANA_VEHICLE, null]);
    });

    it('answers the public vehicle lookup without a token, and normalises the plate', async () => {
      const response = await graphql(running.url, VEHICLE_BY_PLATE, { plate: ' cht408 ' });
      expect(response.errors).toBeUndefined();
      expect(response.data.vehicle).toEqual({ plate: 'CHT-408', make: 'Hyundai', model: 'Accent', year: 2016, colour: 'Gris' });
      const unknown = await graphql(running.url, VEHICLE_BY_PLATE, { plate: 'A1B-234' });
      expect(unknown.errors).toBeUndefined();
      expect(unknown.data.vehicle).toBeNull();
    });

    it('gives BAD_USER_INPUT for a malformed plate, as an argument or in a representation', async () => {
      for (const plate of ['12-ABC', 'A1B-23', 'AB1-2345', '']) {
        const response = await graphql(running.url, VEHICLE_BY_PLATE, { plate });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0]?.message).toBe(`"${plate}" is not a plate: expected e.g. A1B-234 (or AB-1234 for pre-2010 plates).`);
        expect(response.data.vehicle).toBeNull();
      }
      const entity = await graphql(running.url, VEHICLES, { representations: [vehicle('12-ABC'), vehicle('BKR-512')] });
      expect(errorCodes(entity)).toEqual(['BAD_USER_INPUT']);
      expect(entity.data._entities).toEqual([null, ANA_VEHICLE]);
    });
  });

  describe('Procedure.transportChecks', () => {
    // The revalidation's codes plus others': transport answers its own, in this order, and ignores the rest.
    const REVALIDATION = ['dni-valid', 'no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable', 'no-tax-debt'];
    const checksFor = async (token: string | undefined, codes = REVALIDATION) => {
      const response = await graphql(running.url, CHECKS, { representations: [procedure('revalidar-licencia-de-conducir', codes)] }, token);
      expect(response.errors).toBeUndefined();
      return response.data._entities[0].transportChecks;
    };
    const met = (code: string) => ({ code, status: 'MET', detail: null });

    it('finds everything in order for Ana and for Carmen', async () => {
      for (const dni of [ANA, CARMEN]) {
        expect(await checksFor(tokens[dni])).toEqual([met('no-unpaid-fines'), met('medical-exam-approved'), met('licence-revalidable')]);
      }
    });

    it("finds Luis's two unpaid fines, naming each with its amount, while his exam and expired licence qualify", async () => {
      expect(await checksFor(tokens[LUIS])).toEqual([
        {
          code: 'no-unpaid-fines',
          status: 'NOT_MET',
          detail: '2 unpaid fines: SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000457 G10 S/ 428.00. Pay them first (procedure pagar-papeletas).',
        },
        met('medical-exam-approved'),
        met('licence-revalidable'),
      ]);
    });

    it('tells Rosa she has no exam and no licence to revalidate', async () => {
      expect(await checksFor(tokens[ROSA])).toEqual([
        met('no-unpaid-fines'),
        { code: 'medical-exam-approved', status: 'NOT_MET', detail: 'No medical exam is registered in your name: take one at an MTC-authorised centre.' },
        { code: 'licence-revalidable', status: 'NOT_MET', detail: 'You hold no driving licence to revalidate: apply for a new one.' },
      ]);
    });

    it('tells Jorge his exam is out of date and his licence is not due yet', async () => {
      const examTaken = isoDate(addDays(new Date(`${yearsBefore(day(900), 5)}T00:00:00Z`), -10));
      expect(await checksFor(tokens[JORGE])).toEqual([
        met('no-unpaid-fines'),
        {
          code: 'medical-exam-approved',
          status: 'NOT_MET',
          detail: `Your medical exam of ${examTaken} was valid until ${isoDate(addDays(new Date(`${examTaken}T00:00:00Z`), 182))}: take a new one.`,
        },
        { code: 'licence-revalidable', status: 'NOT_MET', detail: `Your licence is valid until ${day(900)}: it can be revalidated from ${day(840)}.` },
      ]);
    });

    it('answers vehicle-owner from the vehicle registry', async () => {
      expect(await checksFor(tokens[JORGE], ['vehicle-owner'])).toEqual([met('vehicle-owner')]);
      expect(await checksFor(tokens[CARMEN], ['vehicle-owner'])).toEqual([
        { code: 'vehicle-owner', status: 'NOT_MET', detail: 'No vehicle is registered in your name.' },
      ]);
    });

    it('answers UNKNOWN when no citizen is signed in', async () => {
      const unknown = ['no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable'].map((code) => ({ code, status: 'UNKNOWN', detail: 'Sign in to check.' }));
      expect(await checksFor(undefined)).toEqual(unknown);
      expect(await checksFor(tokens.transportAgency)).toEqual(unknown);
    });

    it('answers an empty list when the procedure needs nothing from transport', async () => {
      expect(await checksFor(tokens[LUIS], ['dni-valid', 'dni-renewable', 'no-tax-debt'])).toEqual([]);
    });

    it('gives BAD_USER_INPUT for a representation without requirementCodes', async () => {
      const representations = [{ __typename: 'Procedure', slug: 'renovar-dni' }, procedure('pagar-papeletas', ['no-unpaid-fines'])];
      const response = await graphql(running.url, CHECKS, { representations }, tokens[ANA]);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data._entities).toEqual([null, { slug: 'pagar-papeletas', transportChecks: [met('no-unpaid-fines')] }]);
    });
  });

  describe('one SQL statement per table, however many entities', () => {
    const generated = Array.from({ length: 100 }, (_, i) => generatedDni(i));

    it("reads 100 citizens' licences, fines, vehicles and exams with one statement per table", async () => {
      const { entities, perTable } = await resolveEntities(running, RECORDS, generated.map(citizen), tokens.transportAgency);
      expect(perTable).toEqual({ driving_licences: 1, medical_exams: 1, traffic_fines: 1, vehicles: 1 });

      // The batch joined real rows: the answers match the tables, citizen by citizen.
      expect(entities.map((entity: { dni: string }) => entity.dni)).toEqual(generated);
      const counted = (
        await running.db.query<{ licences: number; exams: number; fines: number; vehicles: number }>(
          `SELECT (SELECT count(*) FROM driving_licences WHERE dni = ANY($1))::int AS licences,
                  (SELECT count(DISTINCT dni) FROM medical_exams WHERE dni = ANY($1))::int AS exams,
                  (SELECT count(*) FROM traffic_fines WHERE dni = ANY($1))::int AS fines,
                  (SELECT count(*) FROM vehicles WHERE owner_dni = ANY($1))::int AS vehicles`,
          [generated],
        )
      ).rows[0];
      type Records = { drivingLicence: unknown; medicalExam: unknown; trafficFines: { amount: { amount: string } }[]; vehicles: { plate: string }[] };
      const records = entities as Records[];
      expect({
        licences: records.filter((entity) => entity.drivingLicence).length,
        exams: records.filter((entity) => entity.medicalExam).length,
        fines: records.flatMap((entity) => entity.trafficFines).length,
        vehicles: records.flatMap((entity) => entity.vehicles).length,
      }).toEqual(counted);
      // About 60% hold a licence, 25% have fines, 35% own vehicles.
      expect(counted?.licences).toBeGreaterThan(40);
      expect(counted?.fines).toBeGreaterThan(10);
      expect(counted?.vehicles).toBeGreaterThan(20);
      for (const fine of records.flatMap((entity) => entity.trafficFines)) expect(fine.amount.amount).toMatch(/^\d+\.\d{2}$/);
    });

    it('reads 100 Vehicle references with one statement', async () => {
      const owned = await running.db.query<{ plate: string }>('SELECT plate FROM vehicles ORDER BY plate LIMIT 100');
      const { entities, perTable } = await resolveEntities(running, VEHICLES, owned.rows.map((row) => vehicle(row.plate)), undefined);
      expect(perTable).toEqual({ vehicles: 1 });
      expect(entities.map((entity: { plate: string }) => entity.plate)).toEqual(owned.rows.map((row) => row.plate));
    });

    it("answers many procedures' checks for one citizen with one statement per table", async () => {
      const codes = ['no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable', 'vehicle-owner'];
      const slugs = ['revalidar-licencia-de-conducir', 'pagar-papeletas', 'duplicado-de-tive'];
      const { entities, perTable } = await resolveEntities(running, CHECKS, slugs.map((slug) => procedure(slug, codes)), tokens[LUIS]);
      expect(perTable).toEqual({ driving_licences: 1, medical_exams: 1, traffic_fines: 1, vehicles: 1 });
      for (const entity of entities) {
        expect(entity.transportChecks.map((check: { status: string }) => check.status)).toEqual(['NOT_MET', 'MET', 'MET', 'MET']);
      }
    });
  });

  it('seeds deterministically: seeding again adds and changes nothing', async () => {
    const snapshot = async () =>
      (
        await running.db.query(
          `SELECT (SELECT count(*) FROM driving_licences)::int AS licences, (SELECT count(*) FROM medical_exams)::int AS exams,
                  (SELECT count(*) FROM traffic_fines)::int AS fines, (SELECT sum(amount)::text FROM traffic_fines) AS total,
                  (SELECT count(*) FROM vehicles)::int AS vehicles, (SELECT string_agg(plate, ',' ORDER BY plate) FROM vehicles) AS plates`,
        )
      ).rows[0];
    const before = await snapshot();
    await transportService.seed(running.db, { citizens: 120, today: TEST_TODAY });
    expect(await snapshot()).toEqual(before);
  });
});

describe('transport subgraph on PGlite', () => {
  let embedded: RunningSubgraph;
  beforeAll(async () => {
    embedded = await startSubgraph(transportService, { engine: 'pglite', citizens: 10 });
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('gives the same answers, dates and amounts as strings', async () => {
    const response = await graphql(embedded.url, RECORDS, { representations: [citizen(LUIS)] }, await citizenToken(LUIS));
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([LUIS_RECORDS]);
  });
});
