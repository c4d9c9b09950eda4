import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taxesService } from '../../subgraphs/taxes/createSubgraph.js';
import { rucForDni, rucProblem } from '../../subgraphs/taxes/ruc.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { agencyToken, citizenToken, errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, PERSONAS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
const JORGE_RUC = '10432187654';

/** `YYYY-MM` of the month `monthsBack` before TEST_TODAY's, as the seed writes Jorge's periods. */
function monthsAgo(monthsBack: number): string {
  return isoDate(new Date(Date.UTC(TEST_TODAY.getUTCFullYear(), TEST_TODAY.getUTCMonth() - monthsBack, 1))).slice(0, 7);
}

const TAXPAYER_FIELDS = `ruc status condition registeredOn citizen { dni } debts { period concept amount { amount currency } status }`;

const CITIZENS = `query Citizens($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Citizen { dni taxpayer { ${TAXPAYER_FIELDS} } } }
}`;

const TAXPAYERS = `query Taxpayers($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Taxpayer { ${TAXPAYER_FIELDS} } }
}`;

const CHECKS = `query Checks($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Procedure { slug taxesChecks { code status detail } } }
}`;

const TAXPAYER_BY_RUC = `query Taxpayer($ruc: ID!) { taxpayer(ruc: $ruc) { ruc status citizen { dni } } }`;

const citizen = (dni: string) => ({ __typename: 'Citizen', dni });
const taxpayer = (ruc: string) => ({ __typename: 'Taxpayer', ruc });
const procedure = (slug: string, requirementCodes: string[]) => ({ __typename: 'Procedure', slug, requirementCodes });

const JORGE_TAXPAYER = {
  ruc: JORGE_RUC,
  status: 'ACTIVE',
  condition: 'HABIDO',
  registeredOn: isoDate(addDays(TEST_TODAY, -3650)),
  citizen: { dni: JORGE },
  debts: [
    { period: String(TEST_TODAY.getUTCFullYear() - 2), concept: 'Impuesto a la Renta - cuarta categoría', amount: { amount: '3250.00', currency: 'PEN' }, status: 'IN_COACTIVE_COLLECTION' },
    { period: monthsAgo(14), concept: 'IGV - cuenta propia', amount: { amount: '1180.00', currency: 'PEN' }, status: 'IN_COACTIVE_COLLECTION' },
    { period: monthsAgo(13), concept: 'IGV - cuenta propia', amount: { amount: '920.00', currency: 'PEN' }, status: 'PAID' },
    { period: monthsAgo(2), concept: 'IGV - cuenta propia', amount: { amount: '430.00', currency: 'PEN' }, status: 'PENDING' },
  ],
};

let running: RunningSubgraph;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  running = await startSubgraph(taxesService, { citizens: 150 });
  for (const dni of PERSONAS) tokens[dni] = await citizenToken(dni);
  tokens.taxesAgency = await agencyToken(['taxes:read']);
  tokens.transportAgency = await agencyToken(['transport:read']);
});

afterAll(async () => {
  await running?.close();
});

describe('taxes subgraph contract', () => {
  it('publishes its SDL through _service', async () => {
    await expectPublishedSdl(running.url, taxesService.typeDefs);
  });

  describe('Citizen and Taxpayer entities', () => {
    it('resolves Jorge, his RUC and his debts for Jorge himself, amounts as exact strings', async () => {
      const response = await graphql(running.url, CITIZENS, { representations: [citizen(JORGE)] }, tokens[JORGE]);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }]);
    });

    it('resolves a Taxpayer by its RUC key', async () => {
      const response = await graphql(running.url, TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, tokens[JORGE]);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([JORGE_TAXPAYER]);
    });

    it('gives Ana her RUC with only a paid debt, Carmen her new RUC, and Luis and Rosa none', async () => {
      const ana = await graphql(running.url, CITIZENS, { representations: [citizen(ANA)] }, tokens[ANA]);
      expect(ana.data._entities[0].taxpayer).toMatchObject({
        ruc: '10412345679',
        status: 'ACTIVE',
        condition: 'HABIDO',
        debts: [{ period: String(TEST_TODAY.getUTCFullYear() - 1), amount: { amount: '1120.00', currency: 'PEN' }, status: 'PAID' }],
      });
      const carmen = await graphql(running.url, CITIZENS, { representations: [citizen(CARMEN)] }, tokens[CARMEN]);
      expect(carmen.data._entities[0].taxpayer).toEqual({
        ruc: rucForDni(CARMEN),
        status: 'ACTIVE',
        condition: 'HABIDO',
        registeredOn: isoDate(addDays(TEST_TODAY, -45)),
        citizen: { dni: CARMEN },
        debts: [],
      });
      for (const dni of [LUIS, ROSA]) {
        const response = await graphql(running.url, CITIZENS, { representations: [citizen(dni)] }, tokens[dni]);
        expect(response.errors).toBeUndefined();
        expect(response.data._entities).toEqual([{ dni, taxpayer: null }]);
      }
    });

    it("refuses another citizen's token, an agency without taxes:read, and no token: FORBIDDEN", async () => {
      for (const token of [tokens[ANA], tokens.transportAgency, undefined]) {
        const byDni = await graphql(running.url, CITIZENS, { representations: [citizen(JORGE)] }, token);
        expect(errorCodes(byDni)).toEqual(['FORBIDDEN']);
        expect(byDni.data._entities).toEqual([{ dni: JORGE, taxpayer: null }]);
        const byRuc = await graphql(running.url, TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, token);
        expect(errorCodes(byRuc)).toEqual(['FORBIDDEN']);
        expect(byRuc.data._entities).toEqual([null]);
      }
    });

    it('lets an agency with taxes:read read anyone', async () => {
      const response = await graphql(running.url, CITIZENS, { representations: [citizen(JORGE), citizen(LUIS)] }, tokens.taxesAgency);
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }, { dni: LUIS, taxpayer: null }]);
    });

    it('gives BAD_USER_INPUT for a malformed DNI or RUC in a representation, and null for an unregistered RUC', async () => {
      const badDni = await graphql(running.url, CITIZENS, { representations: [citizen('4321876')] }, tokens.taxesAgency);
      expect(errorCodes(badDni)).toEqual(['BAD_USER_INPUT']);
      expect(badDni.errors?.[0]?.message).toBe('"4321876" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
      const badRuc = await graphql(running.url, TAXPAYERS, { representations: [taxpayer('10432187655'), taxpayer(rucForDni(LUIS))] }, tokens.taxesAgency);
      expect(errorCodes(badRuc)).toEqual(['BAD_USER_INPUT']);
      expect(badRuc.errors?.[0]?.message).toBe('RUC 10432187655 has a wrong check digit: it ends in 5, but the first ten digits give 4.');
      expect(badRuc.data._entities).toEqual([null, null]);
    });

    it('fails only the bad representation of a batch, for every entity type', async () => {
      const citizens = await graphql(running.url, CITIZENS, { representations: [citizen(JORGE), citizen('4321876'), citizen(LUIS)] }, tokens.taxesAgency);
      expect(citizens.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }, null, { dni: LUIS, taxpayer: null }]);
      expect(citizens.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 1]]]);

      const taxpayers = await graphql(running.url, TAXPAYERS, { representations: [taxpayer('10432187655'), taxpayer(JORGE_RUC)] }, tokens.taxesAgency);
      expect(taxpayers.data._entities).toEqual([null, JORGE_TAXPAYER]);
      expect(taxpayers.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 0]]]);

      const representations = [{ __typename: 'Procedure', slug: 'inscribirse-en-el-ruc' }, procedure('inscribirse-en-el-ruc', ['ruc-not-registered'])];
      const checks = await graphql(running.url, CHECKS, { representations }, tokens[LUIS]);
      expect(checks.data._entities).toEqual([
        null,
        { slug: 'inscribirse-en-el-ruc', taxesChecks: [{ code: 'ruc-not-registered', status: 'MET', detail: null }] },
      ]);
      expect(checks.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 0]]]);
    });
  });

  describe('Query.taxpayer', () => {
    it('answers the owner', async () => {
      const response = await graphql(running.url, TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, tokens[JORGE]);
      expect(response.errors).toBeUndefined();
      expect(response.data.taxpayer).toEqual({ ruc: JORGE_RUC, status: 'ACTIVE', citizen: { dni: JORGE } });
    });

    it("is FORBIDDEN for someone else's RUC, registered or not, and for a company's RUC", async () => {
      for (const ruc of [JORGE_RUC, rucForDni(LUIS), '20512333797']) {
        const response = await graphql(running.url, TAXPAYER_BY_RUC, { ruc }, tokens[ANA]);
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      }
    });

    it('is NOT_FOUND for an unregistered RUC its reader may see', async () => {
      const own = await graphql(running.url, TAXPAYER_BY_RUC, { ruc: rucForDni(LUIS) }, tokens[LUIS]);
      expect(errorCodes(own)).toEqual(['NOT_FOUND']);
      const company = await graphql(running.url, TAXPAYER_BY_RUC, { ruc: '20512333797' }, tokens.taxesAgency);
      expect(errorCodes(company)).toEqual(['NOT_FOUND']);
      expect(company.errors?.[0]?.message).toBe('No taxpayer is registered with RUC 20512333797.');
    });

    it('says what is wrong with a malformed RUC: BAD_USER_INPUT', async () => {
      const cases: [string, string][] = [
        ['1043218765', 'A RUC has exactly 11 digits; "1043218765" does not.'],
        ['10A32187654', 'A RUC has exactly 11 digits; "10A32187654" does not.'],
        ['30432187654', 'A RUC starts with 10, 15, 16, 17 or 20; 30432187654 starts with 30.'],
        ['10432187650', 'RUC 10432187650 has a wrong check digit: it ends in 0, but the first ten digits give 4.'],
      ];
      for (const [ruc, message] of cases) {
        const response = await graphql(running.url, TAXPAYER_BY_RUC, { ruc }, tokens[JORGE]);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0]?.message).toBe(message);
      }
    });

    it('asks to sign in without a token: UNAUTHENTICATED', async () => {
      const response = await graphql(running.url, TAXPAYER_BY_RUC, { ruc: JORGE_RUC });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('Procedure.taxesChecks', () => {
    // Every code a procedure might carry: taxes answers its three, in this order, and ignores the rest.
    const ALL_CODES = ['dni-valid', 'no-unpaid-fines', 'no-tax-debt', 'medical-exam-approved', 'ruc-not-registered', 'ruc-active'];
    const checksFor = async (token: string | undefined, codes = ALL_CODES) => {
      const response = await graphql(running.url, CHECKS, { representations: [procedure('revalidar-licencia-de-conducir', codes)] }, token);
      expect(response.errors).toBeUndefined();
      return response.data._entities[0].taxesChecks;
    };

    it('finds Jorge in debt, naming each amount and the coactive collection', async () => {
      expect(await checksFor(tokens[JORGE])).toEqual([
        {
          code: 'no-tax-debt',
          status: 'NOT_MET',
          detail:
            `3 unpaid tax debts, S/ 4,860.00 in total, 2 of them in coactive collection: ` +
            `${TEST_TODAY.getUTCFullYear() - 2} Impuesto a la Renta - cuarta categoría S/ 3,250.00 (in coactive collection); ` +
            `${monthsAgo(14)} IGV - cuenta propia S/ 1,180.00 (in coactive collection); ` +
            `${monthsAgo(2)} IGV - cuenta propia S/ 430.00. Pay them first (procedure consultar-deuda-tributaria).`,
        },
        { code: 'ruc-not-registered', status: 'NOT_MET', detail: `You already have RUC ${JORGE_RUC} (registered on ${JORGE_TAXPAYER.registeredOn}): a person has only one.` },
        { code: 'ruc-active', status: 'MET', detail: null },
      ]);
    });

    it('finds Ana and Carmen with an active RUC and no debt', async () => {
      for (const dni of [ANA, CARMEN]) {
        const checks = await checksFor(tokens[dni]);
        expect(checks.map((check: { status: string }) => check.status)).toEqual(['MET', 'NOT_MET', 'MET']);
        expect(checks[1].detail).toMatch(new RegExp(`^You already have RUC ${rucForDni(dni)} \\(registered on \\d{4}-\\d{2}-\\d{2}\\)`));
      }
    });

    it('finds Luis and Rosa free to register a RUC, with no debt', async () => {
      for (const dni of [LUIS, ROSA]) {
        expect(await checksFor(tokens[dni])).toEqual([
          { code: 'no-tax-debt', status: 'MET', detail: null },
          { code: 'ruc-not-registered', status: 'MET', detail: null },
          { code: 'ruc-active', status: 'NOT_MET', detail: 'You have no RUC: register first (procedure inscribirse-en-el-ruc).' },
        ]);
      }
    });

    it('answers UNKNOWN when no citizen is signed in', async () => {
      const unknown = ['no-tax-debt', 'ruc-not-registered', 'ruc-active'].map((code) => ({ code, status: 'UNKNOWN', detail: 'Sign in to check.' }));
      expect(await checksFor(undefined)).toEqual(unknown);
      expect(await checksFor(tokens.taxesAgency)).toEqual(unknown);
    });

    it('answers an empty list when the procedure needs nothing from SUNAT', async () => {
      expect(await checksFor(tokens[JORGE], ['dni-valid', 'no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable'])).toEqual([]);
    });

    it('gives BAD_USER_INPUT for a representation without requirementCodes', async () => {
      const response = await graphql(running.url, CHECKS, { representations: [{ __typename: 'Procedure', slug: 'revalidar-licencia-de-conducir' }] }, tokens[JORGE]);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('one SQL statement per table, however many entities', () => {
    const generated = Array.from({ length: 100 }, (_, i) => generatedDni(i));

    it("reads 100 citizens' RUCs and debts with one statement on taxpayers and one on tax_debts", async () => {
      const { entities, perTable } = await resolveEntities(running, CITIZENS, generated.map(citizen), tokens.taxesAgency);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1 });
      const taxpayers: { debts: unknown[] }[] = entities.map((entity) => entity.taxpayer).filter(Boolean);
      // The seed gives about 40% a RUC, some with debts: the batch has real rows to join.
      expect(taxpayers.length).toBeGreaterThan(25);
      expect(taxpayers.length).toBeLessThan(60);
      expect(taxpayers.some((t) => t.debts.length > 0)).toBe(true);
      for (const [i, entity] of entities.entries()) {
        expect(entity.dni).toBe(generated[i]);
        if (entity.taxpayer) {
          expect(entity.taxpayer.ruc).toBe(rucForDni(entity.dni));
          expect(rucProblem(entity.taxpayer.ruc)).toBeNull();
          for (const debt of entity.taxpayer.debts) expect(debt.amount.amount).toMatch(/^\d+\.\d{2}$/);
        }
      }
    });

    it('reads 100 Taxpayer references with one statement on taxpayers and one on tax_debts', async () => {
      const { entities, perTable } = await resolveEntities(running, TAXPAYERS, generated.map((dni) => taxpayer(rucForDni(dni))), tokens.taxesAgency);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1 });
      expect(entities.filter(Boolean).length).toBeGreaterThan(25);
    });

    it("answers many procedures' checks for one citizen with one statement per table", async () => {
      const slugs = ['revalidar-licencia-de-conducir', 'inscribirse-en-el-ruc', 'consultar-deuda-tributaria'];
      const representations = slugs.map((slug) => procedure(slug, ['no-tax-debt', 'ruc-active']));
      const { entities, perTable } = await resolveEntities(running, CHECKS, representations, tokens[JORGE]);
      expect(entities.map((entity: { taxesChecks: { status: string }[] }) => entity.taxesChecks.map((c) => c.status))).toEqual([
        ['NOT_MET', 'MET'],
        ['NOT_MET', 'MET'],
        ['NOT_MET', 'MET'],
      ]);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1 });
    });

    it("reads no debts for checks that do not need them", async () => {
      const { entities, perTable } = await resolveEntities(running, CHECKS, [procedure('revalidar-licencia-de-conducir', ['ruc-active'])], tokens[JORGE]);
      expect(entities).toEqual([{ slug: 'revalidar-licencia-de-conducir', taxesChecks: [{ code: 'ruc-active', status: 'MET', detail: null }] }]);
      expect(perTable).toEqual({ taxpayers: 1 });
    });
  });

  it('seeds deterministically: seeding again adds and changes nothing', async () => {
    const snapshot = async () =>
      (
        await running.db.query(
          `SELECT (SELECT count(*) FROM taxpayers)::int AS taxpayers, (SELECT count(*) FROM tax_debts)::int AS debts,
                  (SELECT sum(amount)::text FROM tax_debts) AS total`,
        )
      ).rows[0];
    const before = await snapshot();
    await taxesService.seed(running.db, { citizens: 150, today: TEST_TODAY });
    expect(await snapshot()).toEqual(before);
  });
});

describe('taxes subgraph on PGlite', () => {
  let embedded: RunningSubgraph;
  beforeAll(async () => {
    embedded = await startSubgraph(taxesService, { engine: 'pglite', citizens: 10 });
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('gives the same answers, dates and amounts as strings', async () => {
    const response = await graphql(embedded.url, CITIZENS, { representations: [citizen(JORGE)] }, await citizenToken(JORGE));
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }]);
  });
});
