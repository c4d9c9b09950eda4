import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../lib/caller.js';
import { taxesService } from '../../subgraphs/taxes/createSubgraph.js';
import { rucForDni, rucProblem } from '../../subgraphs/taxes/ruc.js';
import { addDays, isoDate } from '../../subgraphs/shared/calendar.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { countStatementsPerTable, expectOnlyTheGateway, lastReads, recordSize, resolveEntities, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
import { asCitizen, asOfficial, asService } from '../helpers/trust.js';
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
/** The procedures these tests check, and the agency each is done at (the portal's catalogue). */
const AGENCY_OF: Record<string, string> = {
  'revalidar-licencia-de-conducir': 'MTC',
  'inscribirse-en-el-ruc': 'SUNAT',
  'consultar-deuda-tributaria': 'SUNAT',
};
/** A Procedure as the planner sends it: its key, and the requirement codes and agency it @requires. */
const procedure = (slug: string, requirementCodes: string[]) => ({ __typename: 'Procedure', slug, requirementCodes, agency: { code: AGENCY_OF[slug] } });

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

/** SUNAT's own service, and another agency's, which holds no taxes:read. */
const TAXES_SERVICE = asService(['taxes:read'], 'SUNAT', 'sunat-collection');
const TRANSPORT_SERVICE = asService(['transport:read'], 'MTC', 'mtc-licensing');
/** What officials and services state they read for: without it they are refused. */
const PURPOSE = 'test purpose';
const CITIZEN_DENIED = "You may not see this citizen's tax records.";
const TAXPAYER_DENIED = "You may not see this taxpayer's records.";
const STATE_WHY = 'State why you read this: officials and agency services send the purpose in the x-purpose header.';

let running: RunningSubgraph;

beforeAll(async () => {
  running = await startSubgraph(taxesService, { citizens: 150 });
});

afterAll(async () => {
  await running?.close();
});

/** `query` as the gateway sends it on behalf of `caller` (null: anonymous), who states `purpose`. */
async function ask(query: string, variables: Record<string, unknown>, caller: Caller | null, purpose?: string) {
  return graphql(running.url, query, variables, await running.as(caller, purpose));
}

/** Each error's code and message, in order. */
const codesAndMessages = (response: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) =>
  (response.errors ?? []).map((error) => [error.extensions?.code, error.message]);

describe('taxes subgraph contract', () => {
  it('publishes its SDL through _service to the gateway: every type, field, key and directive of schema.graphql', async () => {
    await expectPublishedSdl(running, taxesService.typeDefs);
  });

  it("answers only the gateway: no assertion, a citizen's own token or another subgraph's assertion get 401, before any statement", async () => {
    await expectOnlyTheGateway(running, JORGE, [
      { query: '{ _service { sdl } }' },
      { query: TAXPAYER_BY_RUC, variables: { ruc: JORGE_RUC } },
      { query: CITIZENS, variables: { representations: [citizen(JORGE)] } },
    ]);
  });

  describe('Citizen and Taxpayer entities', () => {
    it('resolves Jorge, his RUC and his debts for Jorge himself, amounts as exact strings', async () => {
      const response = await ask(CITIZENS, { representations: [citizen(JORGE)] }, asCitizen(JORGE));
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }]);
    });

    it('resolves a Taxpayer by its RUC key', async () => {
      const response = await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, asCitizen(JORGE));
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toEqual([JORGE_TAXPAYER]);
    });

    it('gives Ana her RUC with only a paid debt, Carmen her new RUC, and Luis and Rosa none', async () => {
      const ana = await ask(CITIZENS, { representations: [citizen(ANA)] }, asCitizen(ANA));
      expect(ana.data._entities[0].taxpayer).toMatchObject({
        ruc: '10412345679',
        status: 'ACTIVE',
        condition: 'HABIDO',
        debts: [{ period: String(TEST_TODAY.getUTCFullYear() - 1), amount: { amount: '1120.00', currency: 'PEN' }, status: 'PAID' }],
      });
      const carmen = await ask(CITIZENS, { representations: [citizen(CARMEN)] }, asCitizen(CARMEN));
      expect(carmen.data._entities[0].taxpayer).toEqual({
        ruc: rucForDni(CARMEN),
        status: 'ACTIVE',
        condition: 'HABIDO',
        registeredOn: isoDate(addDays(TEST_TODAY, -45)),
        citizen: { dni: CARMEN },
        debts: [],
      });
      for (const dni of [LUIS, ROSA]) {
        const response = await ask(CITIZENS, { representations: [citizen(dni)] }, asCitizen(dni));
        expect(response.errors).toBeUndefined();
        expect(response.data._entities).toEqual([{ dni, taxpayer: null }]);
      }
    });

    it("refuses another citizen and an agency service without taxes:read (FORBIDDEN), and nobody (UNAUTHENTICATED)", async () => {
      const cases: [Caller | null, string | undefined, string][] = [
        [asCitizen(ANA), undefined, 'FORBIDDEN'],
        [TRANSPORT_SERVICE, PURPOSE, 'FORBIDDEN'],
        [asOfficial('MTC-0001'), PURPOSE, 'FORBIDDEN'],
        [null, undefined, 'UNAUTHENTICATED'],
      ];
      for (const [caller, purpose, code] of cases) {
        const byDni = await ask(CITIZENS, { representations: [citizen(JORGE)] }, caller, purpose);
        expect(errorCodes(byDni), code).toEqual([code]);
        expect(byDni.data._entities).toEqual([{ dni: JORGE, taxpayer: null }]);
        const byRuc = await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, caller, purpose);
        expect(codesAndMessages(byRuc), code).toEqual([[code, code === 'FORBIDDEN' ? TAXPAYER_DENIED : 'Sign in to see this.']]);
        expect(byRuc.data._entities).toEqual([null]);
      }
      expect(codesAndMessages(await ask(CITIZENS, { representations: [citizen(JORGE)] }, TRANSPORT_SERVICE, PURPOSE))).toEqual([['FORBIDDEN', CITIZEN_DENIED]]);
    });

    it("tells another citizen they may not see the tax records, not to state a purpose (which would not help them)", async () => {
      const response = await ask(CITIZENS, { representations: [citizen(JORGE)] }, asCitizen(ANA));
      expect(codesAndMessages(response)).toEqual([['FORBIDDEN', CITIZEN_DENIED]]);
    });

    it("gives a citizen asking for an unregistered RUC by key the very answer someone else's gets", async () => {
      const unregistered = await ask(TAXPAYERS, { representations: [taxpayer(rucForDni(LUIS))] }, asCitizen(ANA));
      expect(unregistered).toEqual(await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, asCitizen(ANA)));
      // Even their own: Luis cannot tell whether his RUC exists from this answer (Citizen.taxpayer tells him).
      expect(await ask(TAXPAYERS, { representations: [taxpayer(rucForDni(LUIS))] }, asCitizen(LUIS))).toEqual(unregistered);
    });

    it('lets SUNAT, its service or its official, read anyone once it states why', async () => {
      for (const caller of [TAXES_SERVICE, asOfficial('SUNAT-0001')]) {
        const response = await ask(CITIZENS, { representations: [citizen(JORGE), citizen(LUIS)] }, caller, PURPOSE);
        expect(response.errors).toBeUndefined();
        expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }, { dni: LUIS, taxpayer: null }]);
        const byRuc = await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC), taxpayer(rucForDni(LUIS))] }, caller, PURPOSE);
        expect(byRuc.errors).toBeUndefined();
        expect(byRuc.data._entities).toEqual([JORGE_TAXPAYER, null]);
        const unstated = await ask(CITIZENS, { representations: [citizen(JORGE)] }, caller);
        expect(codesAndMessages(unstated)).toEqual([['FORBIDDEN', STATE_WHY]]);
        expect(codesAndMessages(await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, caller))).toEqual([['FORBIDDEN', STATE_WHY]]);
      }
    });

    it('gives BAD_USER_INPUT for a malformed DNI or RUC in a representation, and null for an unregistered RUC', async () => {
      const badDni = await ask(CITIZENS, { representations: [citizen('4321876')] }, TAXES_SERVICE, PURPOSE);
      expect(errorCodes(badDni)).toEqual(['BAD_USER_INPUT']);
      expect(badDni.errors?.[0]?.message).toBe('"4321876" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.');
      const badRuc = await ask(TAXPAYERS, { representations: [taxpayer('10432187655'), taxpayer(rucForDni(LUIS))] }, TAXES_SERVICE, PURPOSE);
      expect(errorCodes(badRuc)).toEqual(['BAD_USER_INPUT']);
      expect(badRuc.errors?.[0]?.message).toBe('RUC 10432187655 has a wrong check digit: it ends in 5, but the first ten digits give 4.');
      expect(badRuc.data._entities).toEqual([null, null]);
      // A citizen is told what is wrong with a malformed RUC too: it names nobody's record.
      expect(errorCodes(await ask(TAXPAYERS, { representations: [taxpayer('10432187655')] }, asCitizen(JORGE)))).toEqual(['BAD_USER_INPUT']);
    });

    it('fails only the bad representation of a batch, for every entity type', async () => {
      const citizens = await ask(CITIZENS, { representations: [citizen(JORGE), citizen('4321876'), citizen(LUIS)] }, TAXES_SERVICE, PURPOSE);
      expect(citizens.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }, null, { dni: LUIS, taxpayer: null }]);
      expect(citizens.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 1]]]);

      const taxpayers = await ask(TAXPAYERS, { representations: [taxpayer('10432187655'), taxpayer(JORGE_RUC)] }, TAXES_SERVICE, PURPOSE);
      expect(taxpayers.data._entities).toEqual([null, JORGE_TAXPAYER]);
      expect(taxpayers.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 0]]]);

      const representations = [{ __typename: 'Procedure', slug: 'inscribirse-en-el-ruc' }, procedure('inscribirse-en-el-ruc', ['ruc-not-registered'])];
      const checks = await ask(CHECKS, { representations }, asCitizen(LUIS));
      expect(checks.data._entities).toEqual([
        null,
        { slug: 'inscribirse-en-el-ruc', taxesChecks: [{ code: 'ruc-not-registered', status: 'MET', detail: null }] },
      ]);
      expect(checks.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 0]]]);

      const PAGES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on DataAccessConnection { taxesAccess { totalCount } } } }`;
      const page = (first: unknown) => ({ __typename: 'DataAccessConnection', dni: JORGE, first, after: '' });
      const pages = await ask(PAGES, { representations: [page(0), page(5)] }, asCitizen(JORGE));
      expect(pages.data._entities).toEqual([null, { taxesAccess: { totalCount: expect.any(Number) } }]);
      expect(pages.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities', 0]]]);
    });
  });

  describe('Query.taxpayer', () => {
    it('answers the owner, SUNAT\'s service and SUNAT\'s official', async () => {
      for (const [caller, purpose] of [[asCitizen(JORGE), undefined], [TAXES_SERVICE, PURPOSE], [asOfficial('SUNAT-0001'), PURPOSE]] as const) {
        const response = await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, caller, purpose);
        expect(response.errors).toBeUndefined();
        expect(response.data.taxpayer).toEqual({ ruc: JORGE_RUC, status: 'ACTIVE', citizen: { dni: JORGE } });
      }
    });

    it("is FORBIDDEN, word for word alike, for someone else's RUC, registered or not, a company's RUC, and a citizen's own unregistered one", async () => {
      const someoneElses = await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, asCitizen(ANA));
      expect(codesAndMessages(someoneElses)).toEqual([['FORBIDDEN', TAXPAYER_DENIED]]);
      expect(someoneElses.data).toEqual({ taxpayer: null });
      for (const ruc of [rucForDni(LUIS), '20512333797']) expect(await ask(TAXPAYER_BY_RUC, { ruc }, asCitizen(ANA))).toEqual(someoneElses);
      // Luis is decided by the record, and there is none: he learns no more than Ana would.
      expect(await ask(TAXPAYER_BY_RUC, { ruc: rucForDni(LUIS) }, asCitizen(LUIS))).toEqual(someoneElses);
      // Other agencies, whoever they are.
      for (const caller of [TRANSPORT_SERVICE, asOfficial('MTC-0001')]) {
        expect(codesAndMessages(await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, caller, PURPOSE))).toEqual([['FORBIDDEN', TAXPAYER_DENIED]]);
      }
    });

    it('is NOT_FOUND for an unregistered RUC to those who may read any taxpayer', async () => {
      for (const [caller, ruc] of [[TAXES_SERVICE, '20512333797'], [asOfficial('SUNAT-0001'), rucForDni(LUIS)]] as const) {
        const response = await ask(TAXPAYER_BY_RUC, { ruc }, caller, PURPOSE);
        expect(codesAndMessages(response)).toEqual([['NOT_FOUND', `No taxpayer is registered with RUC ${ruc}.`]]);
      }
    });

    it('says what is wrong with a malformed RUC: BAD_USER_INPUT', async () => {
      const cases: [string, string][] = [
        ['1043218765', 'A RUC has exactly 11 digits; "1043218765" does not.'],
        ['10A32187654', 'A RUC has exactly 11 digits; "10A32187654" does not.'],
        ['30432187654', 'A RUC starts with 10, 15, 16, 17 or 20; 30432187654 starts with 30.'],
        ['10432187650', 'RUC 10432187650 has a wrong check digit: it ends in 0, but the first ten digits give 4.'],
      ];
      for (const [ruc, message] of cases) {
        const response = await ask(TAXPAYER_BY_RUC, { ruc }, asCitizen(JORGE));
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0]?.message).toBe(message);
      }
    });

    it('asks to sign in without a caller: UNAUTHENTICATED', async () => {
      const response = await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, null);
      expect(codesAndMessages(response)).toEqual([['UNAUTHENTICATED', 'Sign in to see this.']]);
    });
  });

  describe('Procedure.taxesChecks', () => {
    // Every code a procedure might carry: taxes answers its three, in this order, and ignores the rest.
    const ALL_CODES = ['dni-valid', 'no-unpaid-fines', 'no-tax-debt', 'medical-exam-approved', 'ruc-not-registered', 'ruc-active'];
    const checksFor = async (caller: Caller | null, codes = ALL_CODES, purpose?: string) => {
      const response = await ask(CHECKS, { representations: [procedure('revalidar-licencia-de-conducir', codes)] }, caller, purpose);
      expect(response.errors).toBeUndefined();
      return response.data._entities[0].taxesChecks;
    };

    it('finds Jorge in debt, naming each amount and the coactive collection', async () => {
      expect(await checksFor(asCitizen(JORGE))).toEqual([
        {
          code: 'no-tax-debt',
          status: 'NOT_MET',
          detail:
            `3 deudas tributarias pendientes, S/ 4,860.00 en total, 2 de ellas en cobranza coactiva: ` +
            `${TEST_TODAY.getUTCFullYear() - 2} Impuesto a la Renta - cuarta categoría S/ 3,250.00 (en cobranza coactiva); ` +
            `${monthsAgo(14)} IGV - cuenta propia S/ 1,180.00 (en cobranza coactiva); ` +
            `${monthsAgo(2)} IGV - cuenta propia S/ 430.00. Primero págalas (trámite consultar-deuda-tributaria).`,
        },
        { code: 'ruc-not-registered', status: 'NOT_MET', detail: `Ya tienes el RUC ${JORGE_RUC} (inscrito el ${JORGE_TAXPAYER.registeredOn}): una persona solo tiene uno.` },
        { code: 'ruc-active', status: 'MET', detail: null },
      ]);
    });

    it('finds Ana and Carmen with an active RUC and no debt', async () => {
      for (const dni of [ANA, CARMEN]) {
        const checks = await checksFor(asCitizen(dni));
        expect(checks.map((check: { status: string }) => check.status)).toEqual(['MET', 'NOT_MET', 'MET']);
        expect(checks[1].detail).toMatch(new RegExp(`^Ya tienes el RUC ${rucForDni(dni)} \\(inscrito el \\d{4}-\\d{2}-\\d{2}\\)`));
      }
    });

    it('finds Luis and Rosa free to register a RUC, with no debt', async () => {
      for (const dni of [LUIS, ROSA]) {
        expect(await checksFor(asCitizen(dni))).toEqual([
          { code: 'no-tax-debt', status: 'MET', detail: null },
          { code: 'ruc-not-registered', status: 'MET', detail: null },
          { code: 'ruc-active', status: 'NOT_MET', detail: 'No tienes RUC: primero inscríbete (trámite inscribirse-en-el-ruc).' },
        ]);
      }
    });

    it('answers UNKNOWN, reading nothing, when no citizen is signed in: nobody, an agency service or an official', async () => {
      const unknown = ['no-tax-debt', 'ruc-not-registered', 'ruc-active'].map((code) => ({ code, status: 'UNKNOWN', detail: 'Inicia sesión para verificarlo.' }));
      const before = await recordSize(running);
      const { counts } = await countStatementsPerTable({ taxes: running.db }, async () => {
        expect(await checksFor(null)).toEqual(unknown);
        expect(await checksFor(TAXES_SERVICE, ALL_CODES, PURPOSE)).toEqual(unknown);
        expect(await checksFor(asOfficial('SUNAT-0001'), ALL_CODES, PURPOSE)).toEqual(unknown);
      });
      expect(counts.taxes).toEqual({});
      expect(await recordSize(running)).toBe(before);
    });

    it('answers an empty list when the procedure needs nothing from SUNAT', async () => {
      expect(await checksFor(asCitizen(JORGE), ['dni-valid', 'no-unpaid-fines', 'medical-exam-approved', 'licence-revalidable'])).toEqual([]);
    });

    it('gives BAD_USER_INPUT for a representation without requirementCodes or without its agency', async () => {
      const withoutCodes = { __typename: 'Procedure', slug: 'revalidar-licencia-de-conducir', agency: { code: 'MTC' } };
      const withoutAgency = { __typename: 'Procedure', slug: 'revalidar-licencia-de-conducir', requirementCodes: ['no-tax-debt'] };
      const response = await ask(CHECKS, { representations: [withoutCodes, withoutAgency] }, asCitizen(JORGE));
      expect(codesAndMessages(response)).toEqual([
        ['BAD_USER_INPUT', 'A Procedure representation must carry requirementCodes, a list of codes.'],
        ['BAD_USER_INPUT', 'A Procedure representation must carry its agency { code }.'],
      ]);
    });
  });

  describe('the access record', () => {
    it("notes a citizen's own read: every field of SUNAT's that was read, by whom, with no purpose", async () => {
      const response = await ask(CITIZENS, { representations: [citizen(JORGE)] }, asCitizen(JORGE));
      expect(response.errors).toBeUndefined();
      expect(await lastReads(running)).toEqual([
        {
          dni: JORGE,
          agency: 'SUNAT',
          // The RUC too: Taxpayer is guarded as a whole, its key included.
          fields: ['Citizen.taxpayer', 'Taxpayer.citizen', 'Taxpayer.condition', 'Taxpayer.debts', 'Taxpayer.registeredOn', 'Taxpayer.ruc', 'Taxpayer.status'],
          accessor_kind: 'CITIZEN',
          accessor_id: JORGE,
          purpose: null,
        },
      ]);
      // Looking for a RUC one has not: no record read, nothing noted but the answer that there is none.
      await ask(CITIZENS, { representations: [citizen(LUIS)] }, asCitizen(LUIS));
      expect(await lastReads(running)).toEqual([{ dni: LUIS, agency: 'SUNAT', fields: ['Citizen.taxpayer'], accessor_kind: 'CITIZEN', accessor_id: LUIS, purpose: null }]);
    });

    it('notes who an agency service or an official is, and the purpose they stated', async () => {
      const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, purpose';
      await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, TAXES_SERVICE, 'cobranza coactiva');
      expect(await lastReads(running, 1, columns)).toEqual([
        { dni: JORGE, agency: 'SUNAT', fields: ['Taxpayer.citizen', 'Taxpayer.ruc', 'Taxpayer.status'], accessor_kind: 'AGENCY', accessor_id: 'sunat-collection', accessor_name: 'Test service', accessor_agency: 'SUNAT', purpose: 'cobranza coactiva' },
      ]);
      await ask(CITIZENS, { representations: [citizen(ANA)] }, asOfficial('SUNAT-0001'), 'fiscalización');
      expect(await lastReads(running, 1, columns)).toMatchObject([
        { dni: ANA, agency: 'SUNAT', accessor_kind: 'OFFICIAL', accessor_id: 'SUNAT-0001', accessor_name: 'Teresa Ñique Soto', accessor_agency: 'SUNAT', purpose: 'fiscalización' },
      ]);
    });

    it('notes nothing of a refused read', async () => {
      const before = await recordSize(running);
      expect(errorCodes(await ask(CITIZENS, { representations: [citizen(JORGE)] }, asCitizen(ANA)))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await ask(TAXPAYERS, { representations: [taxpayer(JORGE_RUC)] }, asCitizen(ANA)))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, TRANSPORT_SERVICE, PURPOSE))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await ask(TAXPAYER_BY_RUC, { ruc: JORGE_RUC }, TAXES_SERVICE))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await ask(CITIZENS, { representations: [citizen(JORGE)] }, null))).toEqual(['UNAUTHENTICATED']);
      expect(await recordSize(running)).toBe(before);
    });

    it("notes a requirement check as the procedure's agency reading, for that procedure, what the check needed", async () => {
      const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_agency, purpose';
      const check = (slug: string, codes: string[]) => ask(CHECKS, { representations: [procedure(slug, codes)] }, asCitizen(JORGE));
      expect((await check('revalidar-licencia-de-conducir', ['no-tax-debt'])).errors).toBeUndefined();
      // MTC's procedure, SUNAT's data.
      expect(await lastReads(running, 1, columns)).toEqual([
        { dni: JORGE, agency: 'SUNAT', fields: ['Citizen.taxpayer', 'Taxpayer.debts'], accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'MTC', purpose: 'requirement check for revalidar-licencia-de-conducir' },
      ]);
      expect((await check('inscribirse-en-el-ruc', ['ruc-not-registered'])).errors).toBeUndefined();
      expect(await lastReads(running, 1, columns)).toEqual([
        { dni: JORGE, agency: 'SUNAT', fields: ['Citizen.taxpayer'], accessor_kind: 'AGENCY', accessor_id: 'requirement-check', accessor_agency: 'SUNAT', purpose: 'requirement check for inscribirse-en-el-ruc' },
      ]);
    });
  });

  describe('one SQL statement per table, however many entities', () => {
    const generated = Array.from({ length: 100 }, (_, i) => generatedDni(i));
    /** What writing a request's reads to the access record costs: the writers' lock, the chain's head, one INSERT. */
    const RECORDING = { 'SELECT pg_advisory_xact_lock($1)': 1, access_record: 2 };

    it("reads 100 citizens' RUCs and debts with one statement on taxpayers and one on tax_debts, and records them in one", async () => {
      const before = await recordSize(running);
      const { entities, perTable } = await resolveEntities(running, CITIZENS, generated.map(citizen), TAXES_SERVICE, PURPOSE);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1, ...RECORDING });
      // One entry per citizen asked about, with or without a RUC.
      expect((await recordSize(running)) - before).toBe(100);
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

    it('reads 100 Taxpayer references with one statement on taxpayers and one on tax_debts, and records them in one', async () => {
      const before = await recordSize(running);
      const { entities, perTable } = await resolveEntities(running, TAXPAYERS, generated.map((dni) => taxpayer(rucForDni(dni))), TAXES_SERVICE, PURPOSE);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1, ...RECORDING });
      expect(entities.filter(Boolean).length).toBeGreaterThan(25);
      // One entry per taxpayer found: an unregistered RUC has nobody's data to note.
      expect((await recordSize(running)) - before).toBe(entities.filter(Boolean).length);
    });

    it("answers many procedures' checks for one citizen with one statement per table", async () => {
      const slugs = ['revalidar-licencia-de-conducir', 'inscribirse-en-el-ruc', 'consultar-deuda-tributaria'];
      const representations = slugs.map((slug) => procedure(slug, ['no-tax-debt', 'ruc-active']));
      const { entities, perTable } = await resolveEntities(running, CHECKS, representations, asCitizen(JORGE));
      expect(entities.map((entity: { taxesChecks: { status: string }[] }) => entity.taxesChecks.map((c) => c.status))).toEqual([
        ['NOT_MET', 'MET'],
        ['NOT_MET', 'MET'],
        ['NOT_MET', 'MET'],
      ]);
      expect(perTable).toEqual({ taxpayers: 1, tax_debts: 1, ...RECORDING });
    });

    it("reads no debts for checks that do not need them", async () => {
      const { entities, perTable } = await resolveEntities(running, CHECKS, [procedure('revalidar-licencia-de-conducir', ['ruc-active'])], asCitizen(JORGE));
      expect(entities).toEqual([{ slug: 'revalidar-licencia-de-conducir', taxesChecks: [{ code: 'ruc-active', status: 'MET', detail: null }] }]);
      expect(perTable).toEqual({ taxpayers: 1, ...RECORDING });
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

  it('gives the same answers, dates and amounts as strings, and records the read the same way', async () => {
    const response = await graphql(embedded.url, CITIZENS, { representations: [citizen(JORGE)] }, await embedded.as(asCitizen(JORGE)));
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([{ dni: JORGE, taxpayer: JORGE_TAXPAYER }]);
    const recorded = await embedded.db.query('SELECT dni, agency, accessor_kind, accessor_id FROM access_record');
    expect(recorded.rows).toEqual([{ dni: JORGE, agency: 'SUNAT', accessor_kind: 'CITIZEN', accessor_id: JORGE }]);
  });
});
