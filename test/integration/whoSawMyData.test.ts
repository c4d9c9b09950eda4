import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, graphql, officialToken, agencyToken, postRaw, type Credentials } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, LUIS } from '../helpers/personas.js';
import { accountabilityOperation, CONTRACT_SOURCE, expectNoErrors, expectOneError, sendContractOperation } from './support.js';

/**
 * The record of every read, end to end: what a requirement check, an official and the citizen
 * themself read lands in the owning agency's own record, with who, why and the request id, and the
 * citizen reads all of it, across agencies, newest first, in one query (the accountability contract's
 * `WhoSawMyData`, sent verbatim).
 */
let platform: Platform;
let luis: string;

const WHO_SAW_MY_DATA = accountabilityOperation('WhoSawMyData');
const REVALIDATION = 'revalidar-licencia-de-conducir';

interface Access {
  at: string;
  agency: { code: string };
  fields: string[];
  accessor: { kind: string; id: string; name: string | null; agency: { code: string } | null };
  purpose: string | null;
  requestId: string;
}

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
  luis = await citizenToken(LUIS);
});
afterAll(async () => {
  await platform?.close();
});

async function whoSaw(token: string | Credentials, variables: Record<string, unknown> = {}) {
  const response = await graphql(platform.url, WHO_SAW_MY_DATA, variables, token);
  return response;
}

/** Every entry of Luis's record, paging through it as a front end would. */
async function everything(pageSize: number): Promise<{ totalCount: number; nodes: Access[] }> {
  const nodes: Access[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let page = 0; page < 50; page += 1) {
    const response = await whoSaw(luis, { first: pageSize, after });
    expectNoErrors(response);
    const { dataAccess } = response.data.me;
    totalCount = dataAccess.totalCount;
    nodes.push(...dataAccess.edges.map((edge: { node: Access }) => edge.node));
    if (!dataAccess.pageInfo.hasNextPage) return { totalCount, nodes };
    after = dataAccess.pageInfo.endCursor;
  }
  throw new Error('WhoSawMyData never reached its last page');
}

describe("Luis's WhatDoINeed for licence revalidation", () => {
  let requestId: string;

  beforeAll(async () => {
    const response = await postRaw(
      platform.url,
      JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'WhatDoINeed', variables: { slug: REVALIDATION } }),
      { authorization: `Bearer ${luis}`, 'x-request-id': 'luis-what-do-i-need' },
    );
    expectNoErrors(response);
    requestId = response.headers.get('x-request-id')!;
    expect(requestId).toBe('luis-what-do-i-need');
  });

  it("leaves an entry with that purpose in transport's record: SAT's fines, read by MTC's check on his behalf", async () => {
    const { rows } = await platform.subgraphs.transport.db.query(
      `SELECT agency, fields, accessor_kind, accessor_id, accessor_agency, purpose FROM access_record WHERE dni = $1 AND request_id = $2 ORDER BY agency`,
      [LUIS, requestId],
    );
    expect(rows).toEqual([
      {
        agency: 'MTC',
        fields: ['Citizen.drivingLicence', 'Citizen.medicalExam'],
        accessor_kind: 'AGENCY',
        accessor_id: 'requirement-check',
        accessor_agency: 'MTC',
        purpose: `requirement check for ${REVALIDATION}`,
      },
      {
        agency: 'SAT',
        fields: ['Citizen.trafficFines'],
        accessor_kind: 'AGENCY',
        accessor_id: 'requirement-check',
        accessor_agency: 'MTC',
        purpose: `requirement check for ${REVALIDATION}`,
      },
    ]);
    // RENIEC's check of his DNI is in RENIEC's record, not transport's; nothing of it in taxes'.
    const renieC = await platform.subgraphs.identity.db.query('SELECT agency, fields FROM access_record WHERE dni = $1 AND request_id = $2', [LUIS, requestId]);
    expect(renieC.rows).toEqual([{ agency: 'RENIEC', fields: ['Citizen.identityDocument'] }]);
    expect((await platform.subgraphs.taxes.db.query('SELECT 1 FROM access_record WHERE request_id = $1', [requestId])).rows).toEqual([]);
  });

  it('which Luis then sees in WhoSawMyData, with the same request id', async () => {
    const response = await whoSaw(luis);
    expectNoErrors(response);
    expect(response.data.me.dni).toBe(LUIS);
    const nodes: Access[] = response.data.me.dataAccess.edges.map((edge: { node: Access }) => edge.node);
    expect(nodes).toContainEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      agency: { code: 'SAT' },
      fields: ['Citizen.trafficFines'],
      accessor: { kind: 'AGENCY', id: 'requirement-check', name: 'Requirement check', agency: { code: 'MTC' } },
      purpose: `requirement check for ${REVALIDATION}`,
      requestId,
    });
  });
});

describe('WhoSawMyData', () => {
  it("shows an official's read with who they are, their agency and their stated purpose", async () => {
    const pedro = await officialToken('MTC-0001', 'revalidation CUT-2026-000001');
    const read = await postRaw(platform.url, JSON.stringify({ query: `{ citizen(dni: "${LUIS}") { drivingLicence { status } } }` }), {
      authorization: `Bearer ${pedro.token}`,
      'x-purpose': pedro.purpose!,
      'x-request-id': 'pedro-reads-luis',
    });
    expectNoErrors(read);
    const { nodes } = await everything(20);
    expect(nodes).toContainEqual({
      at: expect.any(String),
      agency: { code: 'MTC' },
      fields: ['Citizen.drivingLicence'],
      accessor: { kind: 'OFFICIAL', id: 'MTC-0001', name: 'Pedro Salas Rojas', agency: { code: 'MTC' } },
      purpose: 'revalidation CUT-2026-000001',
      requestId: 'pedro-reads-luis',
    });
  });

  it("shows the citizen's own reads, and an agency service's, each in its agency's record", async () => {
    const sunarp = await agencyToken(['transport:read'], 'vehicle transfer 2026-77');
    expectNoErrors(await graphql(platform.url, `{ citizen(dni: "${LUIS}") { vehicles { plate } } }`, {}, sunarp));
    expectNoErrors(await sendContractOperation(platform.url, 'MyRecords', {}, luis));
    const { nodes } = await everything(20);
    expect(nodes).toContainEqual(expect.objectContaining({ agency: { code: 'SUNARP' }, fields: ['Citizen.vehicles'], accessor: { kind: 'AGENCY', id: 'test-service', name: 'Test service', agency: { code: 'SUNARP' } }, purpose: 'vehicle transfer 2026-77' }));
    expect(nodes).toContainEqual(expect.objectContaining({ agency: { code: 'RENIEC' }, accessor: { kind: 'CITIZEN', id: LUIS, name: null, agency: null }, purpose: null }));
    expect(nodes).toContainEqual(expect.objectContaining({ agency: { code: 'SAT' }, fields: ['Citizen.trafficFines'], accessor: expect.objectContaining({ kind: 'CITIZEN' }) }));
  });

  it('pages through every agency\'s entries newest first, each once, and totalCount counts them all', async () => {
    const whole = await everything(100);
    const paged = await everything(2);
    expect(paged.totalCount).toBe(whole.totalCount);
    expect(paged.nodes).toEqual(whole.nodes);
    expect(whole.nodes).toHaveLength(whole.totalCount);
    const times = whole.nodes.map((node) => node.at);
    expect([...times].sort().reverse()).toEqual(times);
    // Every agency whose data of his was read is in it (SUNAT: his taxpayer record, in MyRecords).
    expect(new Set(whole.nodes.map((node) => node.agency.code))).toEqual(new Set(['RENIEC', 'MTC', 'SAT', 'SUNARP', 'SUNAT']));
    // And it matches what the agencies' own records hold about him.
    let stored = 0;
    for (const subgraph of Object.values(platform.subgraphs)) {
      stored += (await subgraph.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_record WHERE dni = $1', [LUIS])).rows[0]!.n;
    }
    expect(whole.totalCount).toBe(stored);
  });

  it('reading it is not itself recorded: it does not grow with every look', async () => {
    const before = (await whoSaw(luis)).data.me.dataAccess.totalCount;
    await whoSaw(luis);
    expect((await whoSaw(luis)).data.me.dataAccess.totalCount).toBe(before);
  });

  it("is the citizen's alone: another citizen, an official and a service are refused, and anonymous must sign in", async () => {
    const query = `{ citizen(dni: "${LUIS}") { dataAccess { totalCount } } }`;
    for (const token of [await citizenToken(ANA), await officialToken('MTC-0001'), await agencyToken(['identity:read', 'transport:read', 'taxes:read', 'portal:read'])]) {
      const response = await graphql(platform.url, query, {}, token);
      expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['citizen', 'dataAccess']]]);
      expect(JSON.stringify(response)).not.toContain('requirement-check');
    }
    // Anonymous, the door itself is shut.
    expectOneError(await graphql(platform.url, query), 'UNAUTHENTICATED', { path: ['citizen'] });
  });

  it('refuses a page size out of range and a cursor it did not make', async () => {
    expectOneError(await whoSaw(luis, { first: 0 }), 'BAD_USER_INPUT', { serviceName: 'portal' });
    expectOneError(await whoSaw(luis, { first: 101 }), 'BAD_USER_INPUT', { serviceName: 'portal' });
    expectOneError(await whoSaw(luis, { after: 'bm90LWEtY3Vyc29y' }), 'BAD_USER_INPUT', { serviceName: 'portal' });
    // Shaped like ours, with a position no record has (nor PostgreSQL's bigint could hold).
    const huge = Buffer.from(JSON.stringify(['2026-12-02T10:00:00.000Z', 'transport', 1e300])).toString('base64url');
    expectOneError(await whoSaw(luis, { after: huge }), 'BAD_USER_INPUT', { serviceName: 'portal' });
  });
});
