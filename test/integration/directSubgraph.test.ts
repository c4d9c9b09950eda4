import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_ISSUER } from '../../lib/assertions.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../subgraphs/shared/config.js';
import { graphql, postRaw } from '../helpers/graphql.js';
import { CARMEN, LUIS } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { asCitizen, asOfficial, asService, testTrust, tokenFor } from '../helpers/trust.js';

/**
 * Subgraphs serve only the gateway: called directly, with anything but a fresh assertion the gateway
 * signed for that subgraph, each answers 401 and serves nothing, `_entities` and `_service` included.
 * The keys are the ones the running gateway publishes, fetched over HTTP as in production. And behind
 * the gateway's back a subgraph still keeps its own limits, and tells no caller which case numbers exist.
 */
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
});
afterAll(async () => {
  await platform?.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** What one request asks of each subgraph: its SDL, a citizen through `_entities`, and a root field. */
const REQUESTS: Record<SubgraphName, { query: string; variables?: Record<string, unknown> }[]> = {
  identity: [{ query: `{ citizen(dni: "${LUIS}") { fullName } }` }],
  transport: [{ query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { trafficFines { number } } } }', variables: { r: [{ __typename: 'Citizen', dni: LUIS }] } }],
  taxes: [{ query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { taxpayer { ruc } } } }', variables: { r: [{ __typename: 'Citizen', dni: '43218765' }] } }],
  portal: [{ query: `{ procedures(first: 1) { totalCount } }` }, { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { applications { id } } } }', variables: { r: [{ __typename: 'Citizen', dni: CARMEN }] } }],
};
const requestsOf = (name: SubgraphName) => [{ query: '{ _service { sdl } }' }, ...REQUESTS[name]];

/** An assertion as the gateway makes them, with `changes` to its claims, header or key. */
async function assertion(audience: string, changes: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: Parameters<SignJWT['sign']>[0] } = {}) {
  const { gatewayKeys } = await testTrust();
  const claims = { caller: { sub: LUIS }, rid: 'direct-test', iss: ASSERTION_ISSUER, aud: audience, iat: now(), exp: now() + 60, ...changes.claims };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: gatewayKeys.signer.alg, kid: gatewayKeys.signer.kid, typ: 'ventanilla-assertion+jwt', ...changes.header } as { alg: string })
    .sign(changes.key ?? gatewayKeys.signer.key);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every way in that is not the gateway's: each must get 401 and nothing else. */
const INTRUDERS: [string, (name: SubgraphName) => Promise<Record<string, string>>][] = [
  ['no credentials at all', async () => ({})],
  ["a citizen's own token from the identity provider", async () => ({ authorization: `Bearer ${await tokenFor(asCitizen(LUIS))}` })],
  ["an agency service's own token", async () => ({ authorization: `Bearer ${await tokenFor(asService(['identity:read', 'transport:read', 'taxes:read', 'portal:read']))}`, 'x-purpose': 'direct' })],
  [
    'forged identity headers',
    async () => ({ 'x-caller': JSON.stringify({ sub: LUIS }), 'x-viewer-dni': LUIS, 'x-user-id': LUIS, 'x-forwarded-user': LUIS, 'x-request-id': 'forged', 'x-purpose': 'forged' }),
  ],
  ['an expired assertion', async (name) => ({ authorization: `Bearer ${await assertion(name, { claims: { iat: now() - 600, exp: now() - 120 } })}` })],
  ['an assertion made for another subgraph', async (name) => ({ authorization: `Bearer ${await assertion(name === 'identity' ? 'transport' : 'identity')}` })],
  ['an assertion that lives an hour', async (name) => ({ authorization: `Bearer ${await assertion(name, { claims: { exp: now() + 3600 } })}` })],
  ['an assertion issued in the future', async (name) => ({ authorization: `Bearer ${await assertion(name, { claims: { iat: now() + 600, exp: now() + 660 } })}` })],
  ['an assertion from another issuer', async (name) => ({ authorization: `Bearer ${await assertion(name, { claims: { iss: 'someone-else' } })}` })],
  ['an assertion without a request id', async (name) => ({ authorization: `Bearer ${await assertion(name, { claims: { rid: undefined } })}` })],
  ['an assertion signed with another key under the gateway\'s kid', async (name) => ({ authorization: `Bearer ${await assertion(name, { key: (await generateKeyPair('ES256')).privateKey })}` })],
  ['an assertion signed with a key of unknown kid', async (name) => ({ authorization: `Bearer ${await assertion(name, { key: (await generateKeyPair('ES256')).privateKey, header: { kid: 'not-the-gateway' } })}` })],
  [
    "an HS256 assertion keyed with the gateway's public key",
    async (name) => {
      const { gatewayKeys } = await testTrust();
      const secret = new TextEncoder().encode(JSON.stringify(gatewayKeys.publicJwks.keys[0]));
      return { authorization: `Bearer ${await assertion(name, { header: { alg: 'HS256' }, key: secret })}` };
    },
  ],
  ['an unsigned assertion (alg: none)', async (name) => ({ authorization: `Bearer ${base64url({ alg: 'none', typ: 'ventanilla-assertion+jwt' })}.${base64url({ caller: { sub: LUIS }, rid: 'x', iss: ASSERTION_ISSUER, aud: name, iat: now(), exp: now() + 60 })}.` })],
];

describe.each(SUBGRAPH_NAMES)('the %s subgraph, called directly', (name) => {
  it.each(INTRUDERS)('answers %s with 401 and serves nothing', async (_label, headersFor) => {
    for (const { query, variables } of requestsOf(name)) {
      const response = await postRaw(platform.subgraphs[name].url, JSON.stringify({ query, variables }), await headersFor(name));
      expect(response.status, query).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="ventanilla-gateway"');
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeUndefined();
      expect(JSON.stringify(response)).not.toMatch(/SAT-2025|10432187654|CUT-2026|Huamán|_service|"sdl"/);
    }
  });

  it("serves the gateway's own assertion (the control: the same requests, answered)", async () => {
    const authorization = `Bearer ${await assertion(name)}`;
    for (const { query, variables } of requestsOf(name)) {
      const response = await postRaw(platform.subgraphs[name].url, JSON.stringify({ query, variables }), { authorization });
      expect(response.status, query).toBe(200);
      expect(response.data, JSON.stringify(response.errors)).toBeTruthy();
    }
  });
});

describe('limits of their own, whoever got past the gateway', () => {
  it.each(SUBGRAPH_NAMES)('%s refuses 60 aliases and a document of 5,000 tokens, with HTTP 400', async (name) => {
    const authorization = `Bearer ${await assertion(name)}`;
    const send = (query: string) => postRaw(platform.subgraphs[name].url, JSON.stringify({ query }), { authorization });
    const aliased = await send(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: _service { sdl }`).join(' ')} }`);
    expect(aliased.status).toBe(400);
    expect(aliased.errors?.[0]?.message).toMatch(/Aliases limit of 30 exceeded, found 60/);
    const long = await send(`{ ${Array.from({ length: 5000 }, () => '__typename').join(' ')} }`);
    expect(long.status).toBe(400);
    expect(long.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('taxes refuses a 42-level query (Taxpayer.citizen and Citizen.taxpayer go round), with HTTP 400', async () => {
    let selection = 'ruc';
    for (let level = 0; level < 20; level += 1) selection = `citizen { taxpayer { ${selection} } }`;
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Taxpayer { ${selection} } } }`;
    const response = await postRaw(platform.subgraphs.taxes.url, JSON.stringify({ query, variables: { r: [] } }), { authorization: `Bearer ${await assertion('taxes')}` });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/Query depth limit of 13 exceeded, found 42/);
  });

  it("portal refuses the review's attack: 60 aliases of procedures(first: 100)", async () => {
    const query = `{ ${Array.from({ length: 60 }, (_, i) => `p${i}: procedures(first: 100) { edges { node { slug requirements { code } } } }`).join(' ')} }`;
    const response = await postRaw(platform.subgraphs.portal.url, JSON.stringify({ query }), { authorization: `Bearer ${await assertion('portal')}` });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/Aliases limit of 30 exceeded/);
  });
});

describe('case numbers through _entities, behind the gateway\'s back', () => {
  it("give a citizen, a wrong-scope service, an official of another agency and nobody the same answer, word for word, for one that exists and one that does not", async () => {
    const { rows } = await platform.subgraphs.portal.db.query<{ id: string }>(
      "SELECT id FROM applications WHERE dni = $1 AND procedure_slug = 'revalidar-licencia-de-conducir'",
      [CARMEN],
    );
    const carmens = rows[0]!.id;
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Application { id status nextStep } } }';
    const portal = platform.subgraphs.portal;
    for (const [who, caller, purpose] of [
      ['Luis', asCitizen(LUIS), undefined],
      ['a service with identity:read', asService(['identity:read']), 'probe'],
      ['a RENIEC official', asOfficial('RENIEC-0001'), 'probe'],
      ['nobody', null, undefined],
    ] as const) {
      const token = await portal.as(caller, purpose);
      const existing = await graphql(portal.url, query, { r: [{ __typename: 'Application', id: carmens }] }, token);
      const missing = await graphql(portal.url, query, { r: [{ __typename: 'Application', id: 'CUT-2020-999999' }] }, token);
      expect(existing, who).toEqual(missing);
      expect(existing.errors?.[0]?.extensions?.code, who).toBe(caller ? 'FORBIDDEN' : 'UNAUTHENTICATED');
      expect(JSON.stringify(existing)).not.toContain('Recoge');
    }
    // Carmen herself sees hers, and an MTC official (the procedure's agency) too.
    const hers = await graphql(portal.url, query, { r: [{ __typename: 'Application', id: carmens }] }, await portal.as(asCitizen(CARMEN)));
    expect(hers.data._entities).toEqual([expect.objectContaining({ id: carmens })]);
    const mtc = await graphql(portal.url, query, { r: [{ __typename: 'Application', id: carmens }] }, await portal.as(asOfficial('MTC-0002'), 'review'));
    expect(mtc.data._entities).toEqual([expect.objectContaining({ id: carmens })]);
  });
});
