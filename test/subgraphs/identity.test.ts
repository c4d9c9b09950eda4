import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../lib/caller.js';
import { identityService } from '../../subgraphs/identity/createSubgraph.js';
import { migrate, openDatabase, type Queryable } from '../../subgraphs/shared/db.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { countStatementsPerTable, expectOnlyTheGateway, lastReads, recordSize, resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
import { asCitizen, asOfficial, asService } from '../helpers/trust.js';

const day = (offset: number) => isoDate(addDays(TEST_TODAY, offset));

const CITIZEN_FIELDS = `
  dni fullName givenNames paternalSurname maternalSurname birthDate maritalStatus
  identityDocument { number checkCharacter kind issuedOn expiresOn status }
  civilRecords { recordNumber kind registeredOn place digitised }
`;
const CITIZEN_ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Citizen { ${CITIZEN_FIELDS} } }
}`;
const CHECKS = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Procedure { slug identityChecks { code status detail } } }
}`;
const citizenRef = (dni: unknown) => ({ __typename: 'Citizen', dni });
/** A Procedure as the planner sends it: its key, and the requirement codes and agency it @requires. */
const procedureRef = (slug: string, requirementCodes: unknown, agency = 'RENIEC') => ({ __typename: 'Procedure', slug, requirementCodes, agency: { code: agency } });
const REVALIDATION = procedureRef('revalidar-licencia-de-conducir', ['dni-valid', 'medical-exam-approved', 'no-unpaid-fines'], 'MTC');
const RENEWAL = procedureRef('renovar-dni', ['dni-renewable', 'dni-valid']);
const BIRTH_COPY = procedureRef('copia-certificada-de-acta-de-nacimiento', ['birth-record-digitised']);

/** RENIEC's own service, and another agency's, which holds no identity:read. */
const RENIEC_SERVICE = asService(['identity:read'], 'RENIEC', 'reniec-registry');
const MTC_SERVICE = asService(['transport:read'], 'MTC', 'mtc-licensing');
/** What officials and services state they read for: without it they are refused. */
const PURPOSE = 'test purpose';
const DENIED = "You may not see this citizen's RENIEC records.";
const STATE_WHY = 'State why you read this: officials and agency services send the purpose in the x-purpose header.';

let identity: RunningSubgraph;

beforeAll(async () => {
  identity = await startSubgraph(identityService, { citizens: 120 });
});

afterAll(async () => {
  await identity?.close();
});

/** `query` as the gateway sends it on behalf of `caller` (null: anonymous), who states `purpose`. */
async function ask(query: string, variables: Record<string, unknown> | undefined, caller: Caller | null, purpose?: string) {
  return graphql(identity.url, query, variables, await identity.as(caller, purpose));
}

describe('identity subgraph contract', () => {
  it('publishes its SDL through _service to the gateway: every type, field, key and directive of schema.graphql', async () => {
    const sdl = await expectPublishedSdl(identity, identityService.typeDefs);
    expect(sdl).toContain('@contact(name: "RENIEC"');
  });

  it("answers only the gateway: no assertion, a citizen's own token or another subgraph's assertion get 401, before any statement", async () => {
    await expectOnlyTheGateway(identity, ANA, [
      { query: '{ _service { sdl } }' },
      { query: '{ me { fullName } }' },
      { query: CITIZEN_ENTITIES, variables: { representations: [citizenRef(ANA)] } },
    ]);
  });

  it('resolves a persona by key for the persona themself', async () => {
    const response = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, asCitizen(ANA));
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        dni: ANA,
        fullName: 'Ana María Quispe Mamani',
        givenNames: 'Ana María',
        paternalSurname: 'Quispe',
        maternalSurname: 'Mamani',
        birthDate: '1988-03-14',
        maritalStatus: 'SINGLE',
        identityDocument: {
          number: ANA,
          checkCharacter: '9',
          kind: 'DNIE',
          issuedOn: day(2022 - 2922),
          expiresOn: day(2022),
          status: 'VALID',
        },
        civilRecords: [
          { recordNumber: '1000000001', kind: 'BIRTH', registeredOn: '1988-03-29', place: 'Miraflores, Lima', digitised: true },
        ],
      },
    ]);
  });

  it("shows Rosa's DNI as EXPIRED, derived from its expiry date", async () => {
    const response = await ask('{ me { fullName identityDocument { expiresOn status } } }', undefined, asCitizen(ROSA));
    expect(response.data.me).toEqual({
      fullName: 'Rosa Elena Condori Ccama',
      identityDocument: { expiresOn: day(-25), status: 'EXPIRED' },
    });
  });

  it("lists Jorge's civil records oldest first, matching his marital status", async () => {
    const response = await ask('{ me { maritalStatus civilRecords { kind registeredOn } } }', undefined, asCitizen(JORGE));
    expect(response.data.me).toEqual({
      maritalStatus: 'DIVORCED',
      civilRecords: [
        { kind: 'BIRTH', registeredOn: '1975-12-15' },
        { kind: 'MARRIAGE', registeredOn: '2003-02-22' },
        { kind: 'DIVORCE', registeredOn: '2019-10-08' },
      ],
    });
  });

  it("refuses another citizen and another agency's scope (FORBIDDEN), and nobody (UNAUTHENTICATED)", async () => {
    const cases: [Caller | null, string | undefined, string][] = [
      [asCitizen(LUIS), undefined, 'FORBIDDEN'],
      [MTC_SERVICE, PURPOSE, 'FORBIDDEN'],
      [asOfficial('MTC-0001'), PURPOSE, 'FORBIDDEN'],
      [null, undefined, 'UNAUTHENTICATED'],
    ];
    for (const [caller, purpose, code] of cases) {
      const response = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, caller, purpose);
      expect(response.data?._entities).toEqual([null]);
      expect(new Set(errorCodes(response)), code).toEqual(new Set([code]));
      expect(JSON.stringify(response)).not.toContain('Quispe');
    }
    const agency = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, MTC_SERVICE, PURPOSE);
    expect(new Set(agency.errors?.map((error) => error.message))).toEqual(new Set([DENIED]));
    const nobody = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, null);
    expect(new Set(nobody.errors?.map((error) => error.message))).toEqual(new Set(['Sign in to see this.']));
  });

  it("tells another citizen they may not see RENIEC's records, not to state a purpose (which would not help them)", async () => {
    const response = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, asCitizen(LUIS));
    expect(new Set(response.errors?.map((error) => error.message))).toEqual(new Set([DENIED]));
  });

  it('gives an unknown DNI the very answer a known one gets, to a caller who may not read it (existence is not revealed)', async () => {
    for (const caller of [asCitizen(LUIS), MTC_SERVICE]) {
      const unknown = await ask(CITIZEN_ENTITIES, { representations: [citizenRef('99999998')] }, caller, PURPOSE);
      const known = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, caller, PURPOSE);
      expect(errorCodes(unknown)).toContain('FORBIDDEN');
      expect(unknown).toEqual(known);
    }
  });

  it('lets RENIEC, its service or its official, read anyone once it states why; an unknown DNI is NOT_FOUND to them', async () => {
    for (const caller of [RENIEC_SERVICE, asOfficial('RENIEC-0001')]) {
      const response = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA), citizenRef(LUIS)] }, caller, PURPOSE);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities.map((citizen: { fullName: string }) => citizen.fullName)).toEqual(['Ana María Quispe Mamani', 'Luis Alberto Huamán Torres']);
      const unstated = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, caller);
      expect(new Set(unstated.errors?.map((error) => [error.extensions?.code, error.message].join(' ')))).toEqual(new Set([`FORBIDDEN ${STATE_WHY}`]));
      expect(unstated.data._entities).toEqual([null]);
      // They may read any citizen, so they may know that one does not exist.
      const unknown = await ask(CITIZEN_ENTITIES, { representations: [citizenRef('99999998')] }, caller, PURPOSE);
      expect(new Set(unknown.errors?.map((error) => [error.extensions?.code, error.message].join(' ')))).toEqual(new Set(['NOT_FOUND RENIEC has no citizen with DNI 99999998.']));
      expect(unknown.data._entities).toEqual([null]);
    }
  });

  it('answers BAD_USER_INPUT for a malformed DNI in a representation', async () => {
    for (const dni of ['4123456', '41234567-9', 41234567, null]) {
      const response = await ask(CITIZEN_ENTITIES, { representations: [citizenRef(dni)] }, RENIEC_SERVICE, PURPOSE);
      expect(errorCodes(response), String(dni)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('fails only the bad representation of a batch', async () => {
    const response = await ask(
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { dni fullName } } }',
      { representations: [citizenRef(ANA), citizenRef('4123456X'), citizenRef(ROSA)] },
      RENIEC_SERVICE,
      PURPOSE,
    );
    expect(response.data._entities).toEqual([
      { dni: ANA, fullName: 'Ana María Quispe Mamani' },
      null,
      { dni: ROSA, fullName: 'Rosa Elena Condori Ccama' },
    ]);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.path).toEqual(['_entities', 1]);
  });
});

describe('Query', () => {
  it('me: the signed-in citizen; null without a citizen', async () => {
    const query = '{ me { dni fullName } }';
    expect((await ask(query, undefined, asCitizen(CARMEN))).data.me).toEqual({
      dni: CARMEN,
      fullName: 'Carmen Rosa Flores Vargas',
    });
    expect((await ask(query, undefined, null)).data).toEqual({ me: null });
    expect((await ask(query, undefined, RENIEC_SERVICE, PURPOSE)).data).toEqual({ me: null });
    expect((await ask(query, undefined, asOfficial('RENIEC-0001'), PURPOSE)).data).toEqual({ me: null });
    expect((await ask(query, undefined, asCitizen('99999999'))).data).toEqual({ me: null });
  });

  it('citizen: the key to whoever is signed in; each field then says who may read it', async () => {
    const query = 'query($dni: ID!) { citizen(dni: $dni) { dni fullName } }';
    const askFor = (dni: string, caller: Caller | null, purpose?: string) => ask(query, { dni }, caller, purpose);
    expect((await askFor(LUIS, asCitizen(LUIS))).data.citizen).toEqual({ dni: LUIS, fullName: 'Luis Alberto Huamán Torres' });
    expect((await askFor(LUIS, RENIEC_SERVICE, PURPOSE)).data.citizen.fullName).toBe('Luis Alberto Huamán Torres');
    expect((await askFor(LUIS, asOfficial('RENIEC-0001'), PURPOSE)).data.citizen.fullName).toBe('Luis Alberto Huamán Torres');
    expect(errorCodes(await askFor(LUIS, asCitizen(ANA)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await askFor(LUIS, MTC_SERVICE, PURPOSE))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await askFor(LUIS, asOfficial('MTC-0001'), PURPOSE))).toEqual(['FORBIDDEN']);
    // Another agency's caller gets the bare reference, the door to the records its own rights allow.
    for (const caller of [MTC_SERVICE, asOfficial('MTC-0001'), asCitizen(ANA)]) {
      const bare = await ask('query($dni: ID!) { citizen(dni: $dni) { dni } }', { dni: LUIS }, caller, PURPOSE);
      expect(bare.errors).toBeUndefined();
      expect(bare.data).toEqual({ citizen: { dni: LUIS } });
    }
    const nobody = await askFor(LUIS, null);
    expect(errorCodes(nobody)).toEqual(['UNAUTHENTICATED']);
    expect(nobody.data).toEqual({ citizen: null });
    // NOT_FOUND only to those who may read any citizen's records; a citizen gets what another's would get.
    expect(errorCodes(await askFor('99999998', RENIEC_SERVICE, PURPOSE))).toEqual(['NOT_FOUND']);
    expect((await askFor('99999998', asCitizen(ANA))).errors).toEqual((await askFor(LUIS, asCitizen(ANA))).errors);
    const malformed = await askFor('4567891', asCitizen(LUIS));
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.message).toBe('"4567891" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
  });

  it('citizens: agency services with a read scope only, in the order asked, an unknown DNI NOT_FOUND at its fields, at most 500', async () => {
    const query = 'query($dnis: [ID!]!) { citizens(dnis: $dnis) { dni fullName } }';
    const askFor = (dnis: string[], caller: Caller | null, purpose?: string) => ask(query, { dnis }, caller, purpose);
    const found = await askFor([ROSA, '99999998', ANA], RENIEC_SERVICE, PURPOSE);
    expect(found.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['NOT_FOUND', ['citizens', 1, 'fullName']]]);
    expect(found.data.citizens).toEqual([
      { dni: ROSA, fullName: 'Rosa Elena Condori Ccama' },
      null,
      { dni: ANA, fullName: 'Ana María Quispe Mamani' },
    ]);
    // Without a purpose, or with another read scope, the list tells nothing of who RENIEC knows.
    for (const [caller, purpose] of [[RENIEC_SERVICE, undefined], [MTC_SERVICE, PURPOSE]] as const) {
      const keys = await ask('query($dnis: [ID!]!) { citizens(dnis: $dnis) { dni } }', { dnis: [ROSA, '99999998'] }, caller, purpose);
      expect(keys).toMatchObject({ data: { citizens: [{ dni: ROSA }, { dni: '99999998' }] } });
      expect(keys.errors).toBeUndefined();
    }
    // Citizens and officials hold none of the read scopes.
    for (const caller of [asCitizen(ANA), asOfficial('RENIEC-0001')]) {
      const refused = await askFor([ANA], caller, PURPOSE);
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.data).toBeNull();
    }
    // Another agency's service gets bare references; RENIEC's fields stay FORBIDDEN to it.
    const bare = await ask('query($dnis: [ID!]!) { citizens(dnis: $dnis) { dni } }', { dnis: [ANA] }, MTC_SERVICE, PURPOSE);
    expect(bare.errors).toBeUndefined();
    expect(bare.data).toEqual({ citizens: [{ dni: ANA }] });
    const personal = await askFor([ANA], MTC_SERVICE, PURPOSE);
    expect(errorCodes(personal)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(personal.data)).not.toContain('Quispe');
    expect(errorCodes(await askFor([ANA], null))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await askFor([ANA, 'ABCDEFGH'], RENIEC_SERVICE, PURPOSE))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await askFor(Array.from({ length: 501 }, (_, i) => generatedDni(i)), RENIEC_SERVICE, PURPOSE))).toEqual(['BAD_USER_INPUT']);
    expect((await askFor(Array.from({ length: 500 }, (_, i) => generatedDni(i)), RENIEC_SERVICE, PURPOSE)).data.citizens).toHaveLength(500);
  });
});

describe('Procedure.identityChecks (the requirements RENIEC answers)', () => {
  const checks = async (procedure: object, caller: Caller | null, purpose?: string) => {
    const response = await ask(CHECKS, { representations: [procedure] }, caller, purpose);
    expect(response.errors).toBeUndefined();
    return response.data._entities[0].identityChecks;
  };

  it("licence revalidation: Ana's DNI is valid; the other agencies' codes are ignored", async () => {
    expect(await checks(REVALIDATION, asCitizen(ANA))).toEqual([{ code: 'dni-valid', status: 'MET', detail: null }]);
  });

  it("licence revalidation: Rosa's expired DNI is not met, and says what to do", async () => {
    expect(await checks(REVALIDATION, asCitizen(ROSA))).toEqual([
      {
        code: 'dni-valid',
        status: 'NOT_MET',
        detail: `Tu DNI venció el ${day(-25)}: primero renuévalo (trámite renovar-dni).`,
      },
    ]);
  });

  it('without a citizen signed in every identity requirement is UNKNOWN, and nothing is read', async () => {
    const unknown = [{ code: 'dni-valid', status: 'UNKNOWN', detail: 'Inicia sesión para verificarlo.' }];
    const before = await recordSize(identity);
    const { counts } = await countStatementsPerTable({ identity: identity.db }, async () => {
      expect(await checks(REVALIDATION, null)).toEqual(unknown);
      expect(await checks(REVALIDATION, RENIEC_SERVICE, PURPOSE)).toEqual(unknown);
      expect(await checks(REVALIDATION, asOfficial('RENIEC-0001'), PURPOSE)).toEqual(unknown);
    });
    expect(counts.identity).toEqual({});
    expect(await recordSize(identity)).toBe(before);
  });

  it('a signed-in DNI that RENIEC does not know is UNKNOWN', async () => {
    expect(await checks(REVALIDATION, asCitizen('99999999'))).toEqual([
      { code: 'dni-valid', status: 'UNKNOWN', detail: 'El RENIEC no tiene registrado el DNI 99999999.' },
    ]);
  });

  it('DNI renewal: open to Rosa (expired), not yet to Ana, in the procedure order', async () => {
    expect(await checks(RENEWAL, asCitizen(ROSA))).toEqual([
      { code: 'dni-renewable', status: 'MET', detail: null },
      { code: 'dni-valid', status: 'NOT_MET', detail: `Tu DNI venció el ${day(-25)}: primero renuévalo (trámite renovar-dni).` },
    ]);
    expect(await checks(RENEWAL, asCitizen(ANA))).toEqual([
      {
        code: 'dni-renewable',
        status: 'NOT_MET',
        detail: `Tu DNI está vigente hasta el ${day(2022)}: puedes renovarlo desde el ${day(2022 - 60)}, 60 días antes de que venza.`,
      },
      { code: 'dni-valid', status: 'MET', detail: null },
    ]);
  });

  it('birth record: met for a persona; not met, with why, for paper-only and missing records', async () => {
    expect(await checks(BIRTH_COPY, asCitizen(LUIS))).toEqual([{ code: 'birth-record-digitised', status: 'MET', detail: null }]);

    const paper = await identity.db.query<{ dni: string; record_number: string; place: string }>(
      `SELECT dni, record_number, place FROM civil_records c WHERE kind = 'BIRTH' AND NOT digitised
        AND NOT EXISTS (SELECT 1 FROM civil_records d WHERE d.dni = c.dni AND d.kind = 'BIRTH' AND d.digitised) LIMIT 1`,
    );
    const paperOnly = paper.rows[0]!;
    expect(await checks(BIRTH_COPY, asCitizen(paperOnly.dni))).toEqual([
      {
        code: 'birth-record-digitised',
        status: 'NOT_MET',
        detail: `Tu acta de nacimiento ${paperOnly.record_number} (${paperOnly.place}) aún no está digitalizada: pide la copia en persona en una oficina del RENIEC.`,
      },
    ]);

    const none = await identity.db.query<{ dni: string }>(
      `SELECT dni FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM civil_records r WHERE r.dni = c.dni AND r.kind = 'BIRTH') LIMIT 1`,
    );
    expect(await checks(BIRTH_COPY, asCitizen(none.rows[0]!.dni))).toEqual([
      { code: 'birth-record-digitised', status: 'NOT_MET', detail: 'El RENIEC no tiene ninguna acta de nacimiento a tu nombre.' },
    ]);
  });

  it('a procedure with none of its codes answers an empty list', async () => {
    expect(await checks(procedureRef('pagar-papeletas', ['no-unpaid-fines'], 'SAT'), asCitizen(ANA))).toEqual([]);
  });

  it('answers BAD_USER_INPUT for a representation without its requirement codes or its agency', async () => {
    for (const requirementCodes of [undefined, 'dni-valid', [1, 2]]) {
      const response = await ask(CHECKS, { representations: [procedureRef('renovar-dni', requirementCodes)] }, asCitizen(ANA));
      expect(errorCodes(response), JSON.stringify(requirementCodes)).toEqual(['BAD_USER_INPUT']);
    }
    for (const agency of [undefined, null, {}, { code: 7 }]) {
      const response = await ask(CHECKS, { representations: [{ ...RENEWAL, agency }] }, asCitizen(ANA));
      expect(errorCodes(response), JSON.stringify(agency)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toBe('A Procedure representation must carry its agency { code }.');
    }
  });

  it('fails only the checks of the representation without its requirement codes, not the rest of the batch', async () => {
    const response = await ask(CHECKS, { representations: [procedureRef('renovar-dni', undefined), REVALIDATION] }, asCitizen(ANA));
    expect(response.data._entities).toEqual([
      null,
      { slug: 'revalidar-licencia-de-conducir', identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }] },
    ]);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.path).toEqual(['_entities', 0]);
  });
});

describe('the access record', () => {
  it("notes a citizen's own read: what, by whom, with no purpose", async () => {
    await ask('{ me { fullName identityDocument { status } } }', undefined, asCitizen(ROSA));
    expect(await lastReads(identity)).toEqual([
      { dni: ROSA, agency: 'RENIEC', fields: ['Citizen.fullName', 'Citizen.identityDocument'], accessor_kind: 'CITIZEN', accessor_id: ROSA, purpose: null },
    ]);
  });

  it('notes who an agency service or an official is, and the purpose they stated', async () => {
    const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, purpose';
    await ask('query($dni: ID!) { citizen(dni: $dni) { birthDate } }', { dni: JORGE }, RENIEC_SERVICE, 'padrón electoral');
    expect(await lastReads(identity, 1, columns)).toEqual([
      { dni: JORGE, agency: 'RENIEC', fields: ['Citizen.birthDate'], accessor_kind: 'AGENCY', accessor_id: 'reniec-registry', accessor_name: 'Test service', accessor_agency: 'RENIEC', purpose: 'padrón electoral' },
    ]);
    await ask('query($dni: ID!) { citizen(dni: $dni) { civilRecords { kind } } }', { dni: JORGE }, asOfficial('RENIEC-0001'), 'duplicate request');
    expect(await lastReads(identity, 1, columns)).toEqual([
      { dni: JORGE, agency: 'RENIEC', fields: ['Citizen.civilRecords'], accessor_kind: 'OFFICIAL', accessor_id: 'RENIEC-0001', accessor_name: 'Óscar Vela Ríos', accessor_agency: 'RENIEC', purpose: 'duplicate request' },
    ]);
  });

  it('notes nothing of a refused read, nor of the bare key', async () => {
    const before = await recordSize(identity);
    expect(errorCodes(await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, asCitizen(LUIS)))).toContain('FORBIDDEN');
    expect(errorCodes(await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, MTC_SERVICE, PURPOSE))).toContain('FORBIDDEN');
    expect(errorCodes(await ask(CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, RENIEC_SERVICE))).toContain('FORBIDDEN');
    expect((await ask('query($dni: ID!) { citizen(dni: $dni) { dni } }', { dni: ANA }, MTC_SERVICE, PURPOSE)).data).toEqual({ citizen: { dni: ANA } });
    expect(await recordSize(identity)).toBe(before);
  });

  it("notes a requirement check as the procedure's agency reading, for that procedure, what the check needed", async () => {
    const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_agency, purpose';
    await checksOf(RENEWAL, ROSA);
    expect(await lastReads(identity, 1, columns)).toEqual([
      { dni: ROSA, agency: 'RENIEC', fields: ['Citizen.identityDocument'], accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'RENIEC', purpose: 'requirement check for renovar-dni' },
    ]);
    // MTC's revalidation reads RENIEC's document: RENIEC's data, read by MTC.
    await checksOf(REVALIDATION, LUIS);
    expect(await lastReads(identity, 1, columns)).toEqual([
      { dni: LUIS, agency: 'RENIEC', fields: ['Citizen.identityDocument'], accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'MTC', purpose: 'requirement check for revalidar-licencia-de-conducir' },
    ]);
    await checksOf(BIRTH_COPY, LUIS);
    expect(await lastReads(identity, 1, 'fields, purpose')).toEqual([{ fields: ['Citizen.civilRecords'], purpose: 'requirement check for copia-certificada-de-acta-de-nacimiento' }]);
  });

  async function checksOf(procedure: object, dni: string) {
    const response = await ask(CHECKS, { representations: [procedure] }, asCitizen(dni));
    expect(response.errors).toBeUndefined();
  }
});

describe('batching', () => {
  /** What writing a request's reads to the access record costs: the writers' lock, the chain's head, one INSERT. */
  const RECORDING = { 'SELECT pg_advisory_xact_lock($1)': 1, access_record: 2 };

  it("resolves 100 citizens' records in one _entities request with one SQL statement per table, and records them in one", async () => {
    const dnis = Array.from({ length: 100 }, (_, i) => generatedDni(i));
    const before = await recordSize(identity);
    const { entities, perTable } = await resolveEntities(identity, CITIZEN_ENTITIES, dnis.map(citizenRef), RENIEC_SERVICE, PURPOSE);
    expect(entities.map((citizen) => citizen.dni)).toEqual(dnis);
    expect(entities.every((citizen) => citizen.fullName.split(' ').length >= 3 && citizen.identityDocument.number === citizen.dni)).toBe(true);
    expect(perTable).toEqual({ citizens: 1, identity_documents: 1, civil_records: 1, ...RECORDING });
    // One entry per citizen: all of it is RENIEC's.
    expect((await recordSize(identity)) - before).toBe(100);
  });

  it("answers several procedures' checks in one request with one SQL statement per table", async () => {
    const { entities, perTable } = await resolveEntities(identity, CHECKS, [REVALIDATION, RENEWAL, BIRTH_COPY], asCitizen(ROSA));
    const answered = entities.map((procedure: { identityChecks: { code: string }[] }) =>
      procedure.identityChecks.map((check) => check.code),
    );
    expect(answered).toEqual([['dni-valid'], ['dni-renewable', 'dni-valid'], ['birth-record-digitised']]);
    expect(perTable).toEqual({ citizens: 1, identity_documents: 1, civil_records: 1, ...RECORDING });
  });
});

describe('seed', () => {
  it('writes the personas and the generated citizens, about 8% of them with an expired DNI', async () => {
    const counts = await identity.db.query<{ citizens: number; expired: number; generated: number }>(
      `SELECT count(*)::int AS citizens,
              count(*) FILTER (WHERE d.expires_on < $1::date)::int AS expired,
              count(*) FILTER (WHERE c.dni LIKE '5%')::int AS generated
         FROM citizens c JOIN identity_documents d USING (dni)`,
      [day(0)],
    );
    // 120 generated citizens plus the five personas, of whom Rosa's DNI is expired.
    expect(counts.rows[0]).toMatchObject({ citizens: 125, generated: 120 });
    expect(counts.rows[0]!.expired).toBeGreaterThanOrEqual(4);
    expect(counts.rows[0]!.expired).toBeLessThanOrEqual(18);
  });

  /** A digest of every row of the three tables. */
  const fingerprint = async (db: Queryable) =>
    (
      await db.query<{ citizens: string; documents: string; records: string }>(
        `SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY dni)) FROM citizens c) AS citizens,
                (SELECT md5(string_agg(d::text, '|' ORDER BY dni)) FROM identity_documents d) AS documents,
                (SELECT md5(string_agg(r::text, '|' ORDER BY record_number)) FROM civil_records r) AS records`,
      )
    ).rows[0]!;

  it('is idempotent: seeding again changes nothing', async () => {
    const before = await fingerprint(identity.db);
    await identityService.seed(identity.db, { citizens: 120, today: TEST_TODAY });
    expect(await fingerprint(identity.db)).toEqual(before);
  });

  it('is deterministic: a fresh database seeded with the same options holds the same rows', async () => {
    const fresh = await openDatabase({});
    try {
      await migrate(fresh, identityService.migrations);
      await identityService.seed(fresh, { citizens: 120, today: TEST_TODAY });
      expect(await fingerprint(fresh)).toEqual(await fingerprint(identity.db));
    } finally {
      await fresh.close();
    }
  });
});

describe('on PGlite', () => {
  let embedded: RunningSubgraph;
  beforeAll(async () => {
    embedded = await startSubgraph(identityService, { engine: 'pglite', citizens: 10 });
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('gives the same answers as on PostgreSQL, and records the reads the same way', async () => {
    const query = `{ me { ${CITIZEN_FIELDS} } }`;
    const [onPostgres, onPglite] = await Promise.all([
      graphql(identity.url, query, undefined, await identity.as(asCitizen(ROSA))),
      graphql(embedded.url, query, undefined, await embedded.as(asCitizen(ROSA))),
    ]);
    expect(onPglite.errors).toBeUndefined();
    expect(onPglite.data).toEqual(onPostgres.data);
    const checks = await graphql(embedded.url, CHECKS, { representations: [RENEWAL] }, await embedded.as(asCitizen(ROSA)));
    expect(checks.data._entities[0].identityChecks[0]).toEqual({ code: 'dni-renewable', status: 'MET', detail: null });
    const recorded = await embedded.db.query('SELECT dni, accessor_kind, accessor_id, purpose FROM access_record ORDER BY position');
    expect(recorded.rows).toEqual([
      { dni: ROSA, accessor_kind: 'CITIZEN', accessor_id: ROSA, purpose: null },
      { dni: ROSA, accessor_kind: 'AGENCY', accessor_id: 'requirement-check', purpose: 'requirement check for renovar-dni' },
    ]);
  });
});
