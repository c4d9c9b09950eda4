import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityService } from '../../subgraphs/identity/createSubgraph.js';
import { migrate, openDatabase, type Queryable } from '../../subgraphs/shared/db.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { agencyToken, citizenToken, errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, PERSONAS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';

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
const procedureRef = (slug: string, requirementCodes: unknown) => ({ __typename: 'Procedure', slug, requirementCodes });
const REVALIDATION = procedureRef('revalidar-licencia-de-conducir', ['dni-valid', 'medical-exam-approved', 'no-unpaid-fines']);
const RENEWAL = procedureRef('renovar-dni', ['dni-renewable', 'dni-valid']);
const BIRTH_COPY = procedureRef('copia-certificada-de-acta-de-nacimiento', ['birth-record-digitised']);

let identity: RunningSubgraph;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  identity = await startSubgraph(identityService, { citizens: 120 });
  for (const dni of [...PERSONAS, '99999999']) tokens[dni] = await citizenToken(dni);
  tokens.reniec = await agencyToken(['identity:read']);
  tokens.mtc = await agencyToken(['transport:read']);
});

afterAll(async () => {
  await identity?.close();
});

describe('identity subgraph contract', () => {
  it('publishes its SDL through _service: every type, field, key and directive of schema.graphql', async () => {
    expect(await expectPublishedSdl(identity.url, identityService.typeDefs)).toContain('@contact(name: "RENIEC"');
  });

  it('resolves a persona by key for the persona themself', async () => {
    const response = await graphql(identity.url, CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, tokens[ANA]);
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
    const response = await graphql(
      identity.url,
      '{ me { fullName identityDocument { expiresOn status } } }',
      undefined,
      tokens[ROSA],
    );
    expect(response.data.me).toEqual({
      fullName: 'Rosa Elena Condori Ccama',
      identityDocument: { expiresOn: day(-25), status: 'EXPIRED' },
    });
  });

  it("lists Jorge's civil records oldest first, matching his marital status", async () => {
    const response = await graphql(identity.url, '{ me { maritalStatus civilRecords { kind registeredOn } } }', undefined, tokens[JORGE]);
    expect(response.data.me).toEqual({
      maritalStatus: 'DIVORCED',
      civilRecords: [
        { kind: 'BIRTH', registeredOn: '1975-12-15' },
        { kind: 'MARRIAGE', registeredOn: '2003-02-22' },
        { kind: 'DIVORCE', registeredOn: '2019-10-08' },
      ],
    });
  });

  it("refuses another citizen's token, no token, and another agency's scope with FORBIDDEN", async () => {
    for (const token of [tokens[LUIS], undefined, tokens.mtc]) {
      const response = await graphql(identity.url, CITIZEN_ENTITIES, { representations: [citizenRef(ANA)] }, token);
      expect(response.data?._entities).toEqual([null]);
      expect(errorCodes(response)).toContain('FORBIDDEN');
      expect(JSON.stringify(response)).not.toContain('Quispe');
    }
  });

  it('gives FORBIDDEN, not null, for an unknown DNI to a caller who may not read it (existence is not revealed)', async () => {
    const response = await graphql(identity.url, CITIZEN_ENTITIES, { representations: [citizenRef('99999998')] }, tokens[LUIS]);
    expect(errorCodes(response)).toContain('FORBIDDEN');
  });

  it('resolves an unknown DNI to null for an agency with identity:read', async () => {
    const response = await graphql(identity.url, CITIZEN_ENTITIES, { representations: [citizenRef('99999998')] }, tokens.reniec);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([null]);
  });

  it('answers BAD_USER_INPUT for a malformed DNI in a representation', async () => {
    for (const dni of ['4123456', '41234567-9', 41234567, null]) {
      const response = await graphql(identity.url, CITIZEN_ENTITIES, { representations: [citizenRef(dni)] }, tokens.reniec);
      expect(errorCodes(response), String(dni)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('fails only the bad representation of a batch', async () => {
    const response = await graphql(
      identity.url,
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { dni fullName } } }',
      { representations: [citizenRef(ANA), citizenRef('4123456X'), citizenRef(ROSA)] },
      tokens.reniec,
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
    expect((await graphql(identity.url, query, undefined, tokens[CARMEN])).data.me).toEqual({
      dni: CARMEN,
      fullName: 'Carmen Rosa Flores Vargas',
    });
    expect((await graphql(identity.url, query)).data).toEqual({ me: null });
    expect((await graphql(identity.url, query, undefined, tokens.reniec)).data).toEqual({ me: null });
    expect((await graphql(identity.url, query, undefined, tokens['99999999'])).data).toEqual({ me: null });
  });

  it('citizen: self or identity:read; FORBIDDEN, UNAUTHENTICATED, NOT_FOUND and BAD_USER_INPUT otherwise', async () => {
    const query = 'query($dni: ID!) { citizen(dni: $dni) { dni fullName } }';
    const ask = (dni: string, token?: string) => graphql(identity.url, query, { dni }, token);
    expect((await ask(LUIS, tokens[LUIS])).data.citizen).toEqual({ dni: LUIS, fullName: 'Luis Alberto Huamán Torres' });
    expect((await ask(LUIS, tokens.reniec)).data.citizen.fullName).toBe('Luis Alberto Huamán Torres');
    expect(errorCodes(await ask(LUIS, tokens[ANA]))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask(LUIS, tokens.mtc))).toEqual(['FORBIDDEN']);
    // Another agency's token gets the bare reference, the door to the records its own scope allows.
    const bare = await graphql(identity.url, 'query($dni: ID!) { citizen(dni: $dni) { dni } }', { dni: LUIS }, tokens.mtc);
    expect(bare.errors).toBeUndefined();
    expect(bare.data).toEqual({ citizen: { dni: LUIS } });
    expect(errorCodes(await ask(LUIS))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await ask('99999998', tokens.reniec))).toEqual(['NOT_FOUND']);
    const malformed = await ask('4567891', tokens[LUIS]);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.message).toBe('"4567891" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
  });

  it('citizens: identity:read only, in the order asked, null where unknown, at most 500', async () => {
    const query = 'query($dnis: [ID!]!) { citizens(dnis: $dnis) { dni fullName } }';
    const ask = (dnis: string[], token?: string) => graphql(identity.url, query, { dnis }, token);
    const found = await ask([ROSA, '99999998', ANA], tokens.reniec);
    expect(found.data.citizens).toEqual([
      { dni: ROSA, fullName: 'Rosa Elena Condori Ccama' },
      null,
      { dni: ANA, fullName: 'Ana María Quispe Mamani' },
    ]);
    expect(errorCodes(await ask([ANA], tokens[ANA]))).toEqual(['FORBIDDEN']);
    // Another agency's token gets bare references; RENIEC's fields stay FORBIDDEN to it.
    const bare = await graphql(identity.url, 'query($dnis: [ID!]!) { citizens(dnis: $dnis) { dni } }', { dnis: [ANA] }, tokens.mtc);
    expect(bare.errors).toBeUndefined();
    expect(bare.data).toEqual({ citizens: [{ dni: ANA }] });
    const personal = await ask([ANA], tokens.mtc);
    expect(errorCodes(personal)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(personal.data)).not.toContain('Quispe');
    expect(errorCodes(await ask([ANA]))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await ask([ANA, 'ABCDEFGH'], tokens.reniec))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await ask(Array.from({ length: 501 }, (_, i) => generatedDni(i)), tokens.reniec))).toEqual(['BAD_USER_INPUT']);
    expect((await ask(Array.from({ length: 500 }, (_, i) => generatedDni(i)), tokens.reniec)).data.citizens).toHaveLength(500);
  });
});

describe('Procedure.identityChecks (the requirements RENIEC answers)', () => {
  const checks = async (procedure: object, token?: string) => {
    const response = await graphql(identity.url, CHECKS, { representations: [procedure] }, token);
    expect(response.errors).toBeUndefined();
    return response.data._entities[0].identityChecks;
  };

  it("licence revalidation: Ana's DNI is valid; the other agencies' codes are ignored", async () => {
    expect(await checks(REVALIDATION, tokens[ANA])).toEqual([{ code: 'dni-valid', status: 'MET', detail: null }]);
  });

  it("licence revalidation: Rosa's expired DNI is not met, and says what to do", async () => {
    expect(await checks(REVALIDATION, tokens[ROSA])).toEqual([
      {
        code: 'dni-valid',
        status: 'NOT_MET',
        detail: `Your DNI expired on ${day(-25)}: renew it first (procedure renovar-dni).`,
      },
    ]);
  });

  it('without a citizen viewer every identity requirement is UNKNOWN', async () => {
    const unknown = [{ code: 'dni-valid', status: 'UNKNOWN', detail: 'Sign in to check.' }];
    expect(await checks(REVALIDATION)).toEqual(unknown);
    expect(await checks(REVALIDATION, tokens.reniec)).toEqual(unknown);
  });

  it('a signed-in DNI that RENIEC does not know is UNKNOWN', async () => {
    expect(await checks(REVALIDATION, tokens['99999999'])).toEqual([
      { code: 'dni-valid', status: 'UNKNOWN', detail: 'RENIEC has no record of DNI 99999999.' },
    ]);
  });

  it('DNI renewal: open to Rosa (expired), not yet to Ana, in the procedure order', async () => {
    expect(await checks(RENEWAL, tokens[ROSA])).toEqual([
      { code: 'dni-renewable', status: 'MET', detail: null },
      { code: 'dni-valid', status: 'NOT_MET', detail: `Your DNI expired on ${day(-25)}: renew it first (procedure renovar-dni).` },
    ]);
    expect(await checks(RENEWAL, tokens[ANA])).toEqual([
      {
        code: 'dni-renewable',
        status: 'NOT_MET',
        detail: `Your DNI is valid until ${day(2022)}: it can be renewed from ${day(2022 - 60)}, 60 days before it expires.`,
      },
      { code: 'dni-valid', status: 'MET', detail: null },
    ]);
  });

  it('birth record: met for a persona; not met, with why, for paper-only and missing records', async () => {
    expect(await checks(BIRTH_COPY, tokens[LUIS])).toEqual([{ code: 'birth-record-digitised', status: 'MET', detail: null }]);

    const paper = await identity.db.query<{ dni: string; record_number: string; place: string }>(
      `SELECT dni, record_number, place FROM civil_records c WHERE kind = 'BIRTH' AND NOT digitised
        AND NOT EXISTS (SELECT 1 FROM civil_records d WHERE d.dni = c.dni AND d.kind = 'BIRTH' AND d.digitised) LIMIT 1`,
    );
    const paperOnly = paper.rows[0]!;
    expect(await checks(BIRTH_COPY, await citizenToken(paperOnly.dni))).toEqual([
      {
        code: 'birth-record-digitised',
        status: 'NOT_MET',
        detail: `Your birth record ${paperOnly.record_number} (${paperOnly.place}) is not digitised yet: ask for the copy in person at a RENIEC office.`,
      },
    ]);

    const none = await identity.db.query<{ dni: string }>(
      `SELECT dni FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM civil_records r WHERE r.dni = c.dni AND r.kind = 'BIRTH') LIMIT 1`,
    );
    expect(await checks(BIRTH_COPY, await citizenToken(none.rows[0]!.dni))).toEqual([
      { code: 'birth-record-digitised', status: 'NOT_MET', detail: 'RENIEC holds no birth record for you.' },
    ]);
  });

  it('a procedure with none of its codes answers an empty list', async () => {
    expect(await checks(procedureRef('pagar-papeletas', ['no-unpaid-fines']), tokens[ANA])).toEqual([]);
  });

  it('answers BAD_USER_INPUT for a representation without its requirement codes', async () => {
    for (const requirementCodes of [undefined, 'dni-valid', [1, 2]]) {
      const response = await graphql(
        identity.url,
        CHECKS,
        { representations: [procedureRef('renovar-dni', requirementCodes)] },
        tokens[ANA],
      );
      expect(errorCodes(response), JSON.stringify(requirementCodes)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('fails only the checks of the representation without its requirement codes, not the rest of the batch', async () => {
    const response = await graphql(identity.url, CHECKS, { representations: [procedureRef('renovar-dni', undefined), REVALIDATION] }, tokens[ANA]);
    expect(response.data._entities).toEqual([
      null,
      { slug: 'revalidar-licencia-de-conducir', identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }] },
    ]);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.path).toEqual(['_entities', 0]);
  });
});

describe('batching', () => {
  it("resolves 100 citizens' records in one _entities request with one SQL statement per table", async () => {
    const dnis = Array.from({ length: 100 }, (_, i) => generatedDni(i));
    const { entities, perTable } = await resolveEntities(identity, CITIZEN_ENTITIES, dnis.map(citizenRef), tokens.reniec);
    expect(entities.map((citizen) => citizen.dni)).toEqual(dnis);
    expect(entities.every((citizen) => citizen.fullName.split(' ').length >= 3 && citizen.identityDocument.number === citizen.dni)).toBe(true);
    expect(perTable).toEqual({ citizens: 1, identity_documents: 1, civil_records: 1 });
  });

  it("answers several procedures' checks in one request with one SQL statement per table", async () => {
    const { entities, perTable } = await resolveEntities(identity, CHECKS, [REVALIDATION, RENEWAL, BIRTH_COPY], tokens[ROSA]);
    const answered = entities.map((procedure: { identityChecks: { code: string }[] }) =>
      procedure.identityChecks.map((check) => check.code),
    );
    expect(answered).toEqual([['dni-valid'], ['dni-renewable', 'dni-valid'], ['birth-record-digitised']]);
    expect(perTable).toEqual({ citizens: 1, identity_documents: 1, civil_records: 1 });
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

  it('gives the same answers as on PostgreSQL', async () => {
    const query = `{ me { ${CITIZEN_FIELDS} } }`;
    const [onPostgres, onPglite] = await Promise.all([
      graphql(identity.url, query, undefined, tokens[ROSA]),
      graphql(embedded.url, query, undefined, tokens[ROSA]),
    ]);
    expect(onPglite.errors).toBeUndefined();
    expect(onPglite.data).toEqual(onPostgres.data);
    const checks = await graphql(embedded.url, CHECKS, { representations: [RENEWAL] }, tokens[ROSA]);
    expect(checks.data._entities[0].identityChecks[0]).toEqual({ code: 'dni-renewable', status: 'MET', detail: null });
  });
});
