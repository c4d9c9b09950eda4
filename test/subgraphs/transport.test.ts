import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../lib/caller.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { transportService } from '../../subgraphs/transport/createSubgraph.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { countStatementsPerTable, expectOnlyTheGateway, lastReads, recordSize, resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
import { asCitizen, asOfficial, asService } from '../helpers/trust.js';

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
/** The procedures these tests check, and the agency each is done at (the portal's catalogue). */
const AGENCY_OF: Record<string, string> = {
  'revalidar-licencia-de-conducir': 'MTC',
  'pagar-papeletas': 'SAT',
  'duplicado-de-tive': 'SUNARP',
  'renovar-dni': 'RENIEC',
};
/** A Procedure as the planner sends it: its key, and the requirement codes and agency it @requires. */
const procedure = (slug: string, requirementCodes: string[]) => ({ __typename: 'Procedure', slug, requirementCodes, agency: { code: AGENCY_OF[slug] } });

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

/** An agency service that reads transport records for a living, and one that holds another agency's scope. */
const TRANSPORT_SERVICE = asService(['transport:read'], 'MTC', 'mtc-licensing');
const IDENTITY_SERVICE = asService(['identity:read'], 'RENIEC', 'reniec-registry');
/** What officials and services state they read for: without it they are refused. */
const PURPOSE = 'test purpose';
/** What the guard tells another citizen, or another agency, reading someone's transport records. */
const DENIED = "You may not see this citizen's transport records.";
const STATE_WHY = 'State why you read this: officials and agency services send the purpose in the x-purpose header.';

let running: RunningSubgraph;

beforeAll(async () => {
  running = await startSubgraph(transportService, { citizens: 120 });
});

afterAll(async () => {
  await running?.close();
});

/** `query` as the gateway sends it on behalf of `caller` (null: anonymous), who states `purpose`. */
async function ask(query: string, variables: Record<string, unknown>, caller: Caller | null, purpose?: string) {
  return graphql(running.url, query, variables, await running.as(caller, purpose));
}

describe('transport subgraph contract', () => {
  it('publishes its SDL through _service to the gateway: every type, field, key and directive of schema.graphql', async () => {
    await expectPublishedSdl(running, transportService.typeDefs);
  });

  it("answers only the gateway: no assertion, a citizen's own token or another subgraph's assertion get 401, before any statement", async () => {
    await expectOnlyTheGateway(running, LUIS, [
      { query: '{ _service { sdl } }' },
      { query: RECORDS, variables: { representations: [citizen(LUIS)] } },
      { query: VEHICLE_BY_PLATE, variables: { plate: 'CHT-408' } },
    ]);
  });

  describe('Citizen entity', () => {
    it('gives Ana her licence (valid, expiring in 30 days), approved exam, vehicle and no fines', async () => {
      const response = await ask(RECORDS, { representations: [citizen(ANA)] }, asCitizen(ANA));
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_RECORDS]);
    });

    it('gives Luis his expired licence and his fines newest first, amounts as exact strings of the 2025 UIT', async () => {
      const response = await ask(RECORDS, { representations: [citizen(LUIS)] }, asCitizen(LUIS));
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([LUIS_RECORDS]);
    });

    it('filters fines by status', async () => {
      const numbers = async (status: string | null) => {
        const response = await ask(FINES_BY_STATUS, { representations: [citizen(LUIS)], status }, asCitizen(LUIS));
        expect(response.errors).toBeUndefined();
        return response.data._entities[0].trafficFines.map((fine: { number: string }) => fine.number);
      };
      expect(await numbers('UNPAID')).toEqual(['SAT-2025-0000457', 'SAT-2025-0000123']);
      expect(await numbers('PAID')).toEqual(['SAT-2023-0000089']);
      expect(await numbers('IN_COACTIVE_COLLECTION')).toEqual([]);
      expect(await numbers(null)).toHaveLength(3);
    });

    it('gives Jorge his A-IIa licence and his one paid fine (8 % of the 2024 UIT), and Rosa nothing at all', async () => {
      const jorge = await ask(RECORDS, { representations: [citizen(JORGE)] }, asCitizen(JORGE));
      expect(jorge.errors).toBeUndefined();
      expect(jorge.data._entities[0]).toMatchObject({
        drivingLicence: { number: 'Q43218765', class: 'A_IIA', expiresOn: day(900), status: 'VALID', points: 20 },
        trafficFines: [{ number: 'SAT-2024-0000318', code: 'G24', amount: { amount: '412.00', currency: 'PEN' }, status: 'PAID', plate: 'ARX-731' }],
        vehicles: [{ plate: 'ARX-731', make: 'Toyota', model: 'Corolla' }],
      });
      const rosa = await ask(RECORDS, { representations: [citizen(ROSA)] }, asCitizen(ROSA));
      expect(rosa.errors).toBeUndefined();
      expect(rosa.data._entities).toEqual([{ dni: ROSA, drivingLicence: null, trafficFines: [], vehicles: [], medicalExam: null }]);
    });

    it("refuses another citizen and an agency service without transport:read (FORBIDDEN), and nobody (UNAUTHENTICATED)", async () => {
      const cases: [Caller | null, string | undefined, string, string | null][] = [
        // The words are left to the next test: the guard tells the citizen the wrong thing.
        [asCitizen(LUIS), undefined, 'FORBIDDEN', null],
        [IDENTITY_SERVICE, PURPOSE, 'FORBIDDEN', DENIED],
        [null, undefined, 'UNAUTHENTICATED', 'Sign in to see this.'],
      ];
      for (const [caller, purpose, code, message] of cases) {
        const response = await ask(RECORDS, { representations: [citizen(ANA)] }, caller, purpose);
        // Every field transport adds to Citizen is nullable: each refusal nulls its own field, never the entity.
        expect(errorCodes(response), code).toEqual([code, code, code, code]);
        if (message) expect(new Set(response.errors?.map((error) => error.message))).toEqual(new Set([message]));
        expect(response.data._entities).toEqual([{ dni: ANA, drivingLicence: null, trafficFines: null, vehicles: null, medicalExam: null }]);
        expect(JSON.stringify(response)).not.toContain('Q41234567');
      }
    });

    it("tells another citizen they may not see the records, not to state a purpose (which would not help them)", async () => {
      const response = await ask(RECORDS, { representations: [citizen(ANA)] }, asCitizen(LUIS));
      expect(new Set(response.errors?.map((error) => error.message))).toEqual(new Set([DENIED]));
    });

    it('lets an agency service with transport:read read anyone, once it states why', async () => {
      const response = await ask(RECORDS, { representations: [citizen(ANA), citizen(LUIS)] }, TRANSPORT_SERVICE, PURPOSE);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_RECORDS, LUIS_RECORDS]);
      const unstated = await ask(RECORDS, { representations: [citizen(ANA)] }, TRANSPORT_SERVICE);
      expect(new Set(errorCodes(unstated))).toEqual(new Set(['FORBIDDEN']));
      expect(new Set(unstated.errors?.map((error) => error.message))).toEqual(new Set([STATE_WHY]));
      expect(unstated.data._entities).toEqual([{ dni: ANA, drivingLicence: null, trafficFines: null, vehicles: null, medicalExam: null }]);
    });

    it("lets an MTC official, stating a purpose, read MTC's licence and exam, but not SAT's fines nor SUNARP's vehicles", async () => {
      const MTC_FIELDS = `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Citizen { dni drivingLicence { number status } medicalExam { result validUntil } } }
      }`;
      const VEHICLES_OF = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { vehicles { plate } } } }`;
      const representations = [citizen(LUIS)];
      for (const id of ['MTC-0001', 'MTC-0002']) {
        const mtc = await ask(MTC_FIELDS, { representations }, asOfficial(id), PURPOSE);
        expect(mtc.errors).toBeUndefined();
        expect(mtc.data._entities).toEqual([{ dni: LUIS, drivingLicence: { number: 'Q45678912', status: 'EXPIRED' }, medicalExam: { result: 'APPROVED', validUntil: day(-9 + 182) } }]);
        for (const [query, variables] of [[FINES_BY_STATUS, { representations, status: null }], [VEHICLES_OF, { representations }]] as const) {
          const other = await ask(query, variables, asOfficial(id), PURPOSE);
          expect(errorCodes(other)).toEqual(['FORBIDDEN']);
          expect(other.errors?.[0]?.message).toBe(DENIED);
          // The refused list is null on its own: the entity stays.
          expect(other.data._entities).toEqual([{ [query === VEHICLES_OF ? 'vehicles' : 'trafficFines']: null }]);
        }
      }
      // Without a purpose even MTC's own records are refused, saying what is missing.
      const unstated = await ask(MTC_FIELDS, { representations }, asOfficial('MTC-0001'));
      expect(unstated.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
        ['FORBIDDEN', STATE_WHY],
        ['FORBIDDEN', STATE_WHY],
      ]);
      // Officials of other agencies read none of it, purpose or not.
      for (const id of ['RENIEC-0001', 'SUNAT-0001']) {
        const response = await ask(MTC_FIELDS, { representations }, asOfficial(id), PURPOSE);
        expect(response.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
          ['FORBIDDEN', DENIED],
          ['FORBIDDEN', DENIED],
        ]);
        expect(response.data._entities).toEqual([{ dni: LUIS, drivingLicence: null, medicalExam: null }]);
      }
    });

    it('gives BAD_USER_INPUT for a malformed DNI in a representation', async () => {
      const response = await ask(RECORDS, { representations: [citizen('4123456'), citizen(ANA)] }, TRANSPORT_SERVICE, PURPOSE);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toBe('"4123456" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
      expect(response.data._entities).toEqual([null, ANA_RECORDS]);
    });
  });

  describe('Vehicle entity and Query.vehicle', () => {
    it('resolves a Vehicle by its plate key, however the plate is typed; null when unregistered', async () => {
      const response = await ask(VEHICLES, { representations: [vehicle('BKR-512'), vehicle('bkr512'), vehicle('ZZ-9999')] }, null);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([ANA_VEHICLE, ANA_VEHICLE, null]);
    });

    it('answers the public vehicle lookup to anybody, and normalises the plate', async () => {
      const response = await ask(VEHICLE_BY_PLATE, { plate: ' cht408 ' }, null);
      expect(response.errors).toBeUndefined();
      expect(response.data.vehicle).toEqual({ plate: 'CHT-408', make: 'Hyundai', model: 'Accent', year: 2016, colour: 'Gris' });
      const unknown = await ask(VEHICLE_BY_PLATE, { plate: 'A1B-234' }, null);
      expect(unknown.errors).toBeUndefined();
      expect(unknown.data.vehicle).toBeNull();
    });

    it('gives BAD_USER_INPUT for a malformed plate, as an argument or in a representation', async () => {
      for (const plate of ['12-ABC', 'A1B-23', 'AB1-2345', '']) {
        const response = await ask(VEHICLE_BY_PLATE, { plate }, null);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0]?.message).toBe(`"${plate}" is not a plate: expected e.g. A1B-234 (or AB-1234 for pre-2010 plates).`);
        expect(response.data.vehicle).toBeNull();
      }
      const entity = await ask(VEHICLES, { representations: [vehicle('12-ABC'), vehicle('BKR-512')] }, null);
      expect(errorCodes(entity)).toEqual(['BAD_USER_INPUT']);
      expect(entity.data._entities).toEqual([null, ANA_VEHICLE]);
    });
  });

  describe('Procedure.transportChecks', () => {
    // The revalidation's codes plus others': transport answers its own, in this order, and ignores the rest.
    const REVALIDATION = ['dni-valid', 'no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable', 'no-tax-debt'];
    const checksFor = async (caller: Caller | null, codes = REVALIDATION, purpose?: string) => {
      const response = await ask(CHECKS, { representations: [procedure('revalidar-licencia-de-conducir', codes)] }, caller, purpose);
      expect(response.errors).toBeUndefined();
      return response.data._entities[0].transportChecks;
    };
    const met = (code: string) => ({ code, status: 'MET', detail: null });

    it('finds everything in order for Ana and for Carmen', async () => {
      for (const dni of [ANA, CARMEN]) {
        expect(await checksFor(asCitizen(dni))).toEqual([met('no-unpaid-fines'), met('medical-exam-approved'), met('licence-revalidable')]);
      }
    });

    it("finds Luis's two unpaid fines, naming each with its amount, while his exam and expired licence qualify", async () => {
      expect(await checksFor(asCitizen(LUIS))).toEqual([
        {
          code: 'no-unpaid-fines',
          status: 'NOT_MET',
          detail: '2 papeletas sin pagar: SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000457 G10 S/ 428.00. Primero págalas (trámite pagar-papeletas).',
        },
        met('medical-exam-approved'),
        met('licence-revalidable'),
      ]);
    });

    it('tells Rosa she has no exam and no licence to revalidate', async () => {
      expect(await checksFor(asCitizen(ROSA))).toEqual([
        met('no-unpaid-fines'),
        { code: 'medical-exam-approved', status: 'NOT_MET', detail: 'No tienes ningún examen médico registrado a tu nombre: hazte uno en un centro autorizado por el MTC.' },
        { code: 'licence-revalidable', status: 'NOT_MET', detail: 'No tienes ninguna licencia de conducir que revalidar: tramita una nueva.' },
      ]);
    });

    it('tells Jorge his exam is out of date and his licence is not due yet', async () => {
      const examTaken = isoDate(addDays(new Date(`${yearsBefore(day(900), 5)}T00:00:00Z`), -10));
      expect(await checksFor(asCitizen(JORGE))).toEqual([
        met('no-unpaid-fines'),
        {
          code: 'medical-exam-approved',
          status: 'NOT_MET',
          detail: `Tu examen médico del ${examTaken} estuvo vigente hasta el ${isoDate(addDays(new Date(`${examTaken}T00:00:00Z`), 182))}: hazte uno nuevo.`,
        },
        { code: 'licence-revalidable', status: 'NOT_MET', detail: `Tu licencia de conducir está vigente hasta el ${day(900)}: puedes revalidarla desde el ${day(840)}.` },
      ]);
    });

    it('answers vehicle-owner from the vehicle registry', async () => {
      expect(await checksFor(asCitizen(JORGE), ['vehicle-owner'])).toEqual([met('vehicle-owner')]);
      expect(await checksFor(asCitizen(CARMEN), ['vehicle-owner'])).toEqual([
        { code: 'vehicle-owner', status: 'NOT_MET', detail: 'No tienes ningún vehículo registrado a tu nombre.' },
      ]);
    });

    it('answers UNKNOWN, reading nothing, when no citizen is signed in: nobody, an agency service or an official', async () => {
      const unknown = ['no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable'].map((code) => ({ code, status: 'UNKNOWN', detail: 'Inicia sesión para verificarlo.' }));
      const before = await recordSize(running);
      const { counts } = await countStatementsPerTable({ transport: running.db }, async () => {
        expect(await checksFor(null)).toEqual(unknown);
        expect(await checksFor(TRANSPORT_SERVICE, REVALIDATION, PURPOSE)).toEqual(unknown);
        expect(await checksFor(asOfficial('MTC-0001'), REVALIDATION, PURPOSE)).toEqual(unknown);
      });
      expect(counts.transport).toEqual({});
      expect(await recordSize(running)).toBe(before);
    });

    it('answers an empty list when the procedure needs nothing from transport', async () => {
      expect(await checksFor(asCitizen(LUIS), ['dni-valid', 'dni-renewable', 'no-tax-debt'])).toEqual([]);
    });

    it('gives BAD_USER_INPUT for a representation without requirementCodes or without its agency', async () => {
      const { requirementCodes: _codes, ...withoutCodes } = procedure('renovar-dni', []);
      const { agency: _agency, ...withoutAgency } = procedure('revalidar-licencia-de-conducir', ['no-unpaid-fines']);
      const representations = [withoutCodes, withoutAgency, procedure('pagar-papeletas', ['no-unpaid-fines'])];
      const response = await ask(CHECKS, { representations }, asCitizen(ANA));
      expect(response.errors?.map((error) => [error.extensions?.code, error.message, error.path])).toEqual([
        ['BAD_USER_INPUT', 'A Procedure representation must carry requirementCodes, a list of codes.', ['_entities', 0]],
        ['BAD_USER_INPUT', 'A Procedure representation must carry its agency { code }.', ['_entities', 1]],
      ]);
      expect(response.data._entities).toEqual([null, null, { slug: 'pagar-papeletas', transportChecks: [met('no-unpaid-fines')] }]);
    });
  });

  describe('the access record', () => {
    it("notes a citizen's own read under the agency owning each field: fines SAT's, licence and exam MTC's, vehicles SUNARP's", async () => {
      const fines = await ask(FINES_BY_STATUS, { representations: [citizen(LUIS)], status: 'UNPAID' }, asCitizen(LUIS));
      expect(fines.errors).toBeUndefined();
      expect(await lastReads(running)).toEqual([{ dni: LUIS, agency: 'SAT', fields: ['Citizen.trafficFines'], accessor_kind: 'CITIZEN', accessor_id: LUIS, purpose: null }]);

      const records = await ask(RECORDS, { representations: [citizen(LUIS)] }, asCitizen(LUIS));
      expect(records.errors).toBeUndefined();
      // One entry per agency of the request, each naming every field of its own that was read.
      const byAgency = (await lastReads(running, 3)).sort((a, b) => String(a.agency).localeCompare(String(b.agency)));
      const luis = { dni: LUIS, accessor_kind: 'CITIZEN', accessor_id: LUIS, purpose: null };
      expect(byAgency).toEqual([
        { ...luis, agency: 'MTC', fields: ['Citizen.drivingLicence', 'Citizen.medicalExam'] },
        { ...luis, agency: 'SAT', fields: ['Citizen.trafficFines'] },
        { ...luis, agency: 'SUNARP', fields: ['Citizen.vehicles'] },
      ]);
    });

    it('notes who an agency service or an official is, and the purpose they stated', async () => {
      const LICENCE = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { drivingLicence { number } } } }`;
      const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, purpose, request_id';
      await ask(LICENCE, { representations: [citizen(ANA)] }, TRANSPORT_SERVICE, 'licence audit 2026');
      expect(await lastReads(running, 1, columns)).toEqual([
        {
          dni: ANA,
          agency: 'MTC',
          fields: ['Citizen.drivingLicence'],
          accessor_kind: 'AGENCY',
          accessor_id: 'mtc-licensing',
          accessor_name: 'Test service',
          accessor_agency: 'MTC',
          purpose: 'licence audit 2026',
          request_id: 'test-request',
        },
      ]);
      await ask(LICENCE, { representations: [citizen(LUIS)] }, asOfficial('MTC-0002'), 'revalidación en ventanilla');
      expect(await lastReads(running, 1, columns)).toEqual([
        {
          dni: LUIS,
          agency: 'MTC',
          fields: ['Citizen.drivingLicence'],
          accessor_kind: 'OFFICIAL',
          accessor_id: 'MTC-0002',
          accessor_name: 'Lucía Mendoza Paz',
          accessor_agency: 'MTC',
          purpose: 'revalidación en ventanilla',
          request_id: 'test-request',
        },
      ]);
    });

    it('notes nothing of a refused read, nor of a public one', async () => {
      const before = await recordSize(running);
      expect(errorCodes(await ask(RECORDS, { representations: [citizen(ANA)] }, asCitizen(LUIS)))).toContain('FORBIDDEN');
      expect(errorCodes(await ask(RECORDS, { representations: [citizen(ANA)] }, null))).toContain('UNAUTHENTICATED');
      expect(errorCodes(await ask(RECORDS, { representations: [citizen(ANA)] }, TRANSPORT_SERVICE))).toContain('FORBIDDEN');
      expect((await ask(VEHICLE_BY_PLATE, { plate: 'BKR-512' }, asCitizen(LUIS))).data.vehicle).toEqual(ANA_VEHICLE);
      expect(await recordSize(running)).toBe(before);
    });

    it("notes a requirement check as the procedure's agency reading, for that procedure, what the check needed", async () => {
      const codes = ['no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable'];
      const response = await ask(CHECKS, { representations: [procedure('revalidar-licencia-de-conducir', codes)] }, asCitizen(LUIS));
      expect(response.errors).toBeUndefined();
      const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_agency, purpose';
      const check = { dni: LUIS, accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'MTC', purpose: 'requirement check for revalidar-licencia-de-conducir' };
      const byAgency = (await lastReads(running, 2, columns)).sort((a, b) => String(a.agency).localeCompare(String(b.agency)));
      expect(byAgency).toEqual([
        { ...check, agency: 'MTC', fields: ['Citizen.drivingLicence', 'Citizen.medicalExam'] },
        { ...check, agency: 'SAT', fields: ['Citizen.trafficFines'] },
      ]);
      // Done at SUNARP, the same check of the same citizen is SUNARP's reading SUNARP's data.
      await ask(CHECKS, { representations: [procedure('duplicado-de-tive', ['vehicle-owner'])] }, asCitizen(JORGE));
      expect(await lastReads(running, 1, columns)).toEqual([
        { dni: JORGE, agency: 'SUNARP', fields: ['Citizen.vehicles'], accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'SUNARP', purpose: 'requirement check for duplicado-de-tive' },
      ]);
    });
  });

  describe('one SQL statement per table, however many entities', () => {
    const generated = Array.from({ length: 100 }, (_, i) => generatedDni(i));
    /** What writing a request's reads to the access record costs: the writers' lock, the chain's head, one INSERT. */
    const RECORDING = { 'SELECT pg_advisory_xact_lock($1)': 1, access_record: 2 };

    it("reads 100 citizens' licences, fines, vehicles and exams with one statement per table, and records them in one", async () => {
      const before = await recordSize(running);
      const { entities, perTable } = await resolveEntities(running, RECORDS, generated.map(citizen), TRANSPORT_SERVICE, PURPOSE);
      expect(perTable).toEqual({ driving_licences: 1, medical_exams: 1, traffic_fines: 1, vehicles: 1, ...RECORDING });
      // Every citizen read is on the record, under each of the three agencies whose fields were read.
      expect((await recordSize(running)) - before).toBe(300);

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

    it('reads 100 Vehicle references with one statement, recording nothing: a vehicle is public registry data', async () => {
      const owned = await running.db.query<{ plate: string }>('SELECT plate FROM vehicles ORDER BY plate LIMIT 100');
      const { entities, perTable } = await resolveEntities(running, VEHICLES, owned.rows.map((row) => vehicle(row.plate)), null);
      expect(perTable).toEqual({ vehicles: 1 });
      expect(entities.map((entity: { plate: string }) => entity.plate)).toEqual(owned.rows.map((row) => row.plate));
    });

    it("answers many procedures' checks for one citizen with one statement per table, recorded in one", async () => {
      const codes = ['no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable', 'vehicle-owner'];
      const slugs = ['revalidar-licencia-de-conducir', 'pagar-papeletas', 'duplicado-de-tive'];
      const { entities, perTable } = await resolveEntities(running, CHECKS, slugs.map((slug) => procedure(slug, codes)), asCitizen(LUIS));
      expect(perTable).toEqual({ driving_licences: 1, medical_exams: 1, traffic_fines: 1, vehicles: 1, ...RECORDING });
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

  it('gives the same answers, dates and amounts as strings, and records the read the same way', async () => {
    const response = await graphql(embedded.url, RECORDS, { representations: [citizen(LUIS)] }, await embedded.as(asCitizen(LUIS)));
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([LUIS_RECORDS]);
    const recorded = await embedded.db.query('SELECT agency, fields, accessor_kind, accessor_id FROM access_record ORDER BY agency');
    expect(recorded.rows).toEqual([
      { agency: 'MTC', fields: ['Citizen.drivingLicence', 'Citizen.medicalExam'], accessor_kind: 'CITIZEN', accessor_id: LUIS },
      { agency: 'SAT', fields: ['Citizen.trafficFines'], accessor_kind: 'CITIZEN', accessor_id: LUIS },
      { agency: 'SUNARP', fields: ['Citizen.vehicles'], accessor_kind: 'CITIZEN', accessor_id: LUIS },
    ]);
  });
});
