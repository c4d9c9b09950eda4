import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';
import { agencyToken, citizenToken, graphql, postRaw, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';
import { testTrust } from '../helpers/trust.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, LUIS } from '../helpers/personas.js';
import { CONTRACT_SOURCE, sendContractOperation } from './support.js';

/**
 * Bad input through the gateway: each mistake gets its own `extensions.code` and HTTP status, never a
 * 500 nor a masked INTERNAL_SERVER_ERROR, and the server keeps answering good queries afterwards.
 */
let platform: Platform;
let luis: string;
let ana: string;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 10 });
  luis = await citizenToken(LUIS);
  ana = await citizenToken(ANA);
});
afterAll(async () => {
  await platform?.close();
});

interface Case {
  /** Names the case in a failed assertion's message. */
  name: string;
  send: () => Promise<GraphQLResponse>;
  code: string;
  status: number;
  /** The subgraph whose resolver refused it; absent for what the gateway refuses itself. */
  serviceName?: string;
  /** The refused field, for resolver errors. */
  path?: (string | number)[];
}

const ask = (query: string, variables?: Record<string, unknown>, token?: string | Credentials) => graphql(platform.url, query, variables, token);
const withAuthorization = (authorization: string, query = '{ procedures(first: 1) { totalCount } }') =>
  postRaw(platform.url, JSON.stringify({ query }), { authorization });
const START = 'mutation ($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
const startAs = (token: string | Credentials | undefined, input: Record<string, unknown>) => ask(START, { input }, token);
const key = (label: string) => `bad-input-${label}-${process.pid}`;

/** A cursor shaped like the portal's (base64url JSON) but of a version it never produced. */
const foreignCursor = Buffer.from(JSON.stringify({ v: 2, title: 'Renovar DNI', slug: 'renovar-dni' })).toString('base64url');

async function expectStillServing(): Promise<void> {
  const response = await ask('{ procedure(slug: "renovar-dni") { slug fee { amount } } }');
  expect(response).toEqual({ status: 200, data: { procedure: { slug: 'renovar-dni', fee: { amount: '30.00' } } } });
}

async function check(testCase: Case): Promise<GraphQLResponse> {
  const response = await testCase.send();
  expect(response.errors?.map((error) => error.extensions?.code), `${testCase.name}: ${JSON.stringify(response.errors)}`).toEqual([testCase.code]);
  expect(response.status, testCase.name).toBe(testCase.status);
  const [error] = response.errors!;
  expect(error!.message).not.toBe('Unexpected error');
  if (testCase.serviceName) expect(error!.extensions?.serviceName).toBe(testCase.serviceName);
  if (testCase.path) expect(error!.path).toEqual(testCase.path);
  await expectStillServing();
  return response;
}

describe('malformed keys and arguments: BAD_USER_INPUT (HTTP 200, a field error)', () => {
  const cases: Case[] = [
    { name: 'a DNI of 3 digits', send: () => ask('{ citizen(dni: "123") { dni } }', {}, luis), code: 'BAD_USER_INPUT', status: 200, serviceName: 'identity', path: ['citizen'] },
    { name: 'a DNI with its check character', send: () => ask('{ citizen(dni: "41234567-9") { dni } }', {}, ana), code: 'BAD_USER_INPUT', status: 200, serviceName: 'identity' },
    {
      name: 'one malformed DNI among several',
      send: async () => ask(`{ citizens(dnis: ["${ANA}", "4123456A"]) { dni } }`, {}, await agencyToken(['identity:read'])),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'identity',
    },
    {
      name: '501 DNIs at once',
      send: async () =>
        ask('query ($dnis: [ID!]!) { citizens(dnis: $dnis) { dni } }', { dnis: Array.from({ length: 501 }, (_, i) => generatedDni(i)) }, await agencyToken(['identity:read'])),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'identity',
    },
    { name: 'a cursor that is not one', send: () => ask('{ procedures(after: "not-a-cursor") { totalCount } }'), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal', path: ['procedures'] },
    { name: "a cursor of another version", send: () => ask(`{ procedures(after: "${foreignCursor}") { totalCount } }`), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    { name: 'first: 0', send: () => ask('{ procedures(first: 0) { totalCount } }'), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    { name: 'first: 1000', send: () => ask('{ procedures(first: 1000) { totalCount } }'), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    { name: 'first: -1 in the contract operation', send: () => sendContractOperation(platform.url, 'SearchProcedures', { first: -1 }), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    { name: 'a search of 101 characters', send: () => ask('query ($s: String) { procedures(search: $s) { totalCount } }', { s: 'a'.repeat(101) }), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    { name: 'a plate of digits', send: () => ask('{ vehicle(plate: "12345678") { plate } }'), code: 'BAD_USER_INPUT', status: 200, serviceName: 'transport', path: ['vehicle'] },
    { name: 'a RUC with a wrong check digit', send: () => ask('{ taxpayer(ruc: "10432187655") { ruc } }', {}, luis), code: 'BAD_USER_INPUT', status: 200, serviceName: 'taxes', path: ['taxpayer'] },
    { name: 'a RUC of 5 digits', send: () => ask('{ taxpayer(ruc: "10432") { ruc } }', {}, luis), code: 'BAD_USER_INPUT', status: 200, serviceName: 'taxes' },
    { name: 'a case number that is not one', send: () => ask('{ application(id: "12") { id } }', {}, luis), code: 'BAD_USER_INPUT', status: 200, serviceName: 'portal' },
    {
      name: 'an idempotencyKey of 3 characters',
      send: () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'abc' }),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'portal',
    },
    {
      name: 'a channel the procedure does not offer (the passport is in person only)',
      send: () => startAs(luis, { procedureSlug: 'pasaporte-electronico', channel: 'ONLINE', idempotencyKey: key('passport-online') }),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'portal',
    },
    {
      name: 'in person without an office',
      send: () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'IN_PERSON', idempotencyKey: key('no-office') }),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'portal',
    },
    {
      name: 'an office that does not attend the procedure',
      send: () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'IN_PERSON', officeId: 'sat-lima-centro', idempotencyKey: key('wrong-office') }),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'portal',
    },
  ];
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await check(testCase);
  });

  it('an idempotencyKey already used for another procedure, and nothing else is written', async () => {
    const idempotencyKey = key('reused');
    const first = await startAs(luis, { procedureSlug: 'duplicado-de-dni', channel: 'ONLINE', idempotencyKey });
    expect(first.errors).toBeUndefined();
    await check({
      name: 'reused key',
      send: () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey }),
      code: 'BAD_USER_INPUT',
      status: 200,
      serviceName: 'portal',
    });
    const { rows } = await platform.subgraphs.portal.db.query<{ procedure_slug: string }>(
      'SELECT procedure_slug FROM applications WHERE dni = $1 AND idempotency_key = $2',
      [LUIS, idempotencyKey],
    );
    expect(rows).toEqual([{ procedure_slug: 'duplicado-de-dni' }]);
  });
});

describe('lookups that find nothing: NOT_FOUND', () => {
  it.each([
    ['an unknown slug', () => ask('{ procedure(slug: "licencia-para-volar") { slug } }'), 'portal', ['procedure']],
    ['an unknown slug in WhatDoINeed', () => sendContractOperation(platform.url, 'WhatDoINeed', { slug: 'licencia-para-volar' }), 'portal', ['procedure']],
    ['an unknown case number, for an agency that may read any', async () => ask('{ application(id: "CUT-2020-999999") { id } }', {}, await agencyToken(['portal:read'])), 'portal', ['application']],
    ['an unknown DNI, for an agency that may read it', async () => ask('{ citizen(dni: "99999999") { fullName } }', {}, await agencyToken(['identity:read'])), 'identity', ['citizen', 'fullName']],
    ['an unregistered RUC, for an agency that may read any', async () => ask(`{ taxpayer(ruc: "${rucForDni(LUIS)}") { ruc } }`, {}, await agencyToken(['taxes:read'])), 'taxes', ['taxpayer']],
    ['a procedure to start that does not exist', () => startAs(luis, { procedureSlug: 'licencia-para-volar', channel: 'ONLINE', idempotencyKey: key('no-procedure') }), 'portal', ['startApplication']],
  ] as const)('%s', async (name, send, serviceName, path) => {
    await check({ name, send, code: 'NOT_FOUND', status: 200, serviceName, path: [...path] });
  });
});

describe('variables that do not fit the schema: BAD_USER_INPUT, HTTP 400, nothing executed', () => {
  it.each([
    ['an unknown enum value (channel: CARRIER_PIGEON)', () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'CARRIER_PIGEON', idempotencyKey: key('pigeon') })],
    ['a string for an Int (first: "ten")', () => sendContractOperation(platform.url, 'SearchProcedures', { first: 'ten' })],
    ['a required variable missing ($slug)', () => sendContractOperation(platform.url, 'WhatDoINeed', {})],
    ['an input without its idempotencyKey', () => startAs(luis, { procedureSlug: 'renovar-dni', channel: 'ONLINE' })],
  ] as const)('%s', async (name, send) => {
    const response = await check({ name, send, code: 'BAD_USER_INPUT', status: 400 });
    expect(response.data).toBeUndefined();
  });

  it('the unknown channel wrote nothing', async () => {
    const { rows } = await platform.subgraphs.portal.db.query('SELECT 1 FROM applications WHERE idempotency_key = $1', [key('pigeon')]);
    expect(rows).toEqual([]);
  });
});

describe('tokens (the whole battery is test/gateway/signIn.test.ts)', () => {
  /** A token with a citizen's claims, signed as told. */
  const signed = async (alg: string, key: Parameters<SignJWT['sign']>[0], claims: { iss?: string; exp?: number } = {}) => {
    const { issuerUrl } = await testTrust();
    return new SignJWT({ sub: LUIS })
      .setProtectedHeader({ alg })
      .setIssuer(claims.iss ?? issuerUrl)
      .setAudience('ventanilla')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '1h')
      .sign(key);
  };
  const badTokens: [string, () => Promise<string>][] = [
    ['an expired token', async () => signed('ES256', (await testTrust()).issuerKeys.signer.key, { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['garbage', async () => 'garbage'],
    // What every token was before: one secret shared by all agencies, which anyone holding it could sign with.
    ['an HS256 token signed with a shared secret', async () => signed('HS256', new TextEncoder().encode('ventanilla-development-secret-do-not-use-in-production'))],
    ['a token signed by a key the identity provider does not publish', async () => signed('ES256', (await generateKeyPair('ES256')).privateKey)],
    ['a token from another issuer', async () => signed('ES256', (await testTrust()).issuerKeys.signer.key, { iss: 'https://elsewhere.example' })],
  ];
  it.each(badTokens)('%s: the whole request is refused, UNAUTHENTICATED 401, even for public data', async (name, token) => {
    const bearer = await token();
    const response = await check({ name, send: () => withAuthorization(`Bearer ${bearer}`), code: 'UNAUTHENTICATED', status: 401 });
    expect(response.data).toBeUndefined();
  });

  it('an Authorization header that is not "Bearer <token>": 401', async () => {
    await check({ name: 'basic auth', send: () => withAuthorization('Basic bHVpczpzZWNyZXQ='), code: 'UNAUTHENTICATED', status: 401 });
  });

  it('no token on startApplication: UNAUTHENTICATED, from the gateway, before any agency is asked', async () => {
    // A field error on a request that is otherwise fine: HTTP 200, like any field error.
    await check({
      name: 'anonymous start',
      send: () => startAs(undefined, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: key('anonymous') }),
      code: 'UNAUTHENTICATED',
      status: 200,
      path: ['startApplication'],
    });
  });

  it("an agency service's token on startApplication: FORBIDDEN (only a citizen applies, for themself)", async () => {
    const token = await agencyToken(['portal:read']);
    await check({
      name: 'agency start',
      send: () => startAs(token, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: key('agency') }),
      code: 'FORBIDDEN',
      status: 200,
      path: ['startApplication'],
    });
    const { rows } = await platform.subgraphs.portal.db.query('SELECT 1 FROM applications WHERE idempotency_key = $1', [key('agency')]);
    expect(rows).toEqual([]);
  });
});

describe('requests that are not GraphQL: HTTP 400', () => {
  it.each([
    ['a body that is not JSON', () => postRaw(platform.url, '{"query": "{ me { dni } }"'), 'BAD_REQUEST'],
    ['a JSON body without a query', () => postRaw(platform.url, '{}'), 'BAD_REQUEST'],
    ['a query that does not parse', () => postRaw(platform.url, JSON.stringify({ query: '{ procedures(first: 1) { totalCount ' })), 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', () => ask('{ procedures { shoeSize } }'), 'GRAPHQL_VALIDATION_FAILED'],
    ['an @inaccessible field (requirementCodes)', () => ask('{ procedure(slug: "renovar-dni") { requirementCodes } }'), 'GRAPHQL_VALIDATION_FAILED'],
    ["the subgraphs' _entities, which the gateway does not expose", () => ask('{ _entities(representations: []) { __typename } }'), 'GRAPHQL_VALIDATION_FAILED'],
    ['an operationName the document does not have', () => postRaw(platform.url, JSON.stringify({ query: '{ me { dni } }', operationName: 'Nope' })), 'OPERATION_RESOLUTION_FAILURE'],
    ['the whole contract without an operationName (five operations: which one?)', () => postRaw(platform.url, JSON.stringify({ query: CONTRACT_SOURCE })), 'OPERATION_RESOLUTION_FAILURE'],
  ] as const)('%s', async (name, send, code) => {
    const response = await check({ name, send, code, status: 400 });
    expect(response.data).toBeUndefined();
  });
});
