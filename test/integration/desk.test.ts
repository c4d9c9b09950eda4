import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, graphql, officialToken, postRaw, type Credentials } from '../helpers/graphql.js';
import { ANA, CARMEN } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { countStatementsPerTable, makeRoom } from '../helpers/subgraph.js';
import { authHeaders } from '../helpers/graphql.js';
import { DESK_SOURCE, expectNoErrors, expectOneError, sendDeskOperation } from './support.js';

/**
 * The agency desk through the gateway, with the desk's contract sent verbatim: Pedro's queue (his
 * agency's open applications, most urgent first, filtered and paged), and his review of Ana's
 * revalidation, where every requirement is checked again for her by the agency owning the fact, and
 * each read lands on that agency's record as Pedro's, with the case number as purpose.
 */
let platform: Platform;
let ana: string;
let carmen: string;
/** Officials state no purpose: the case they work on is theirs. */
let pedro: Credentials;
let oscar: Credentials;
let teresa: Credentials;
let caseNumber: string;

const REVALIDATION = 'revalidar-licencia-de-conducir';

interface QueueNode {
  id: string;
  status: string;
  dueOn: string;
  overdue: boolean;
  procedure: { slug: string };
  applicant: { dni: string; fullName: string };
}

beforeAll(async () => {
  platform = await startPlatform({ citizens: 800 });
  [ana, carmen] = await Promise.all([citizenToken(ANA), citizenToken(CARMEN)]);
  [pedro, oscar, teresa] = await Promise.all([officialToken('MTC-0001', undefined), officialToken('RENIEC-0001', undefined), officialToken('SUNAT-0001', undefined)]);
  await makeRoom(platform.subgraphs.portal.db, ANA, REVALIDATION);
  const started = await graphql(
    platform.url,
    'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id status } } }',
    { input: { procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mtc-lima-centro', idempotencyKey: randomUUID() } },
    ana,
  );
  expectNoErrors(started);
  caseNumber = started.data.startApplication.application.id;
});
afterAll(async () => {
  await platform?.close();
});

async function queue(variables: Record<string, unknown>, who: Credentials = pedro) {
  const response = await sendDeskOperation(platform.url, 'MyQueue', variables, who);
  expectNoErrors(response);
  return response.data.desk;
}

async function wholeQueue(variables: Record<string, unknown>, who: Credentials = pedro): Promise<QueueNode[]> {
  const nodes: QueueNode[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const { queue: found } = await queue({ ...variables, first: 4, after }, who);
    nodes.push(...found.edges.map((edge: { node: QueueNode }) => edge.node));
    if (!found.pageInfo.hasNextPage) return nodes;
    after = found.pageInfo.endCursor;
  }
  throw new Error('the queue never reached its last page');
}

describe("Pedro's queue (MyQueue)", () => {
  it('names him as his token does, with his agency and office', async () => {
    const desk = await queue({});
    expect(desk.official).toEqual({ id: 'MTC-0001', name: 'Pedro Salas Rojas', agency: { code: 'MTC' }, office: { id: 'mtc-lima-centro', name: expect.any(String) } });
  });

  it("holds his agency's open applications only, Ana's with her name as RENIEC has it", async () => {
    const nodes = await wholeQueue({});
    const mtc = await graphql(platform.url, '{ procedures(agency: "MTC", first: 100) { edges { node { slug } } } }');
    const mtcSlugs = new Set(mtc.data.procedures.edges.map((edge: { node: { slug: string } }) => edge.node.slug));
    for (const node of nodes) {
      expect(mtcSlugs.has(node.procedure.slug), node.procedure.slug).toBe(true);
      expect(['SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED']).toContain(node.status);
    }
    const anas = nodes.find((node) => node.id === caseNumber);
    expect(anas?.applicant).toEqual({ dni: ANA, fullName: 'Ana María Quispe Mamani' });
    expect(anas?.status).toBe('SUBMITTED');
    const atCentro = await wholeQueue({ officeId: 'mtc-lima-centro' });
    expect(atCentro.map((node) => node.id)).toContain(caseNumber);
    expect(await wholeQueue({ officeId: 'mac-callao' })).not.toContainEqual(expect.objectContaining({ id: caseNumber }));
  });

  it("sorts Teresa's (SUNAT's) most urgent first, and pages it without gaps or repeats", async () => {
    const nodes = await wholeQueue({}, teresa);
    const { queue: first } = await queue({ first: 1 }, teresa);
    expect(nodes.length).toBe(first.totalCount);
    expect(nodes.length).toBeGreaterThan(4);
    expect(new Set(nodes.map((node) => node.id)).size).toBe(nodes.length);
    const order = nodes.map((node) => [node.dueOn, node.id].join(' '));
    expect(order).toEqual([...order].sort());
  });

  it('filters by status and by being overdue, each a part of the whole queue', async () => {
    const all = await wholeQueue({}, teresa);
    for (const status of ['SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED']) {
      const some = await wholeQueue({ status: [status] }, teresa);
      expect(some.map((node) => node.id)).toEqual(all.filter((node) => node.status === status).map((node) => node.id));
    }
    const overdue = await wholeQueue({ overdue: true }, teresa);
    const inTime = await wholeQueue({ overdue: false }, teresa);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((node) => node.overdue)).toBe(true);
    expect(inTime.some((node) => node.overdue)).toBe(false);
    expect(overdue.length + inTime.length).toBe(all.length);
  });

  it('costs the same statements per subgraph for a page of 2 as for a page of 10: batched, whatever the page holds', async () => {
    const dbs = Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.db]));
    const page = async (first: number) => {
      const { result, counts } = await countStatementsPerTable(dbs, () => queue({ first }, teresa));
      return { size: result.queue.edges.length, counts };
    };
    const small = await page(2);
    const large = await page(10);
    // Pages of different sizes, or the comparison shows nothing.
    expect([small.size, large.size]).toEqual([2, expect.any(Number)]);
    expect(large.size).toBeGreaterThan(4);
    expect(large.counts).toEqual(small.counts);
    expect(small.counts.identity).toBeDefined();
  });

  it('refuses a decided status, a bad page size and a foreign cursor, in Spanish', async () => {
    const decided = await sendDeskOperation(platform.url, 'MyQueue', { status: ['APPROVED'] }, pedro);
    expect(expectOneError(decided, 'BAD_USER_INPUT').message).toMatch(/sin decidir/);
    expectOneError(await sendDeskOperation(platform.url, 'MyQueue', { first: 0 }, pedro), 'BAD_USER_INPUT');
    const catalogue = await graphql(platform.url, '{ procedures(first: 1) { pageInfo { endCursor } } }');
    const foreign = await sendDeskOperation(platform.url, 'MyQueue', { after: catalogue.data.procedures.pageInfo.endCursor }, pedro);
    expect(expectOneError(foreign, 'BAD_USER_INPUT').message).toMatch(/cursor/);
    const madeUp = Buffer.from(JSON.stringify({ v: 1, dueOn: 'x', id: 'y' })).toString('base64url');
    expectOneError(await sendDeskOperation(platform.url, 'MyQueue', { after: madeUp }, pedro), 'BAD_USER_INPUT');
  });

  it("shows Óscar RENIEC's queue, without Ana's revalidation", async () => {
    const desk = await queue({ first: 100 }, oscar);
    expect(desk.official.agency.code).toBe('RENIEC');
    expect(desk.queue.edges.map((edge: { node: QueueNode }) => edge.node.id)).not.toContain(caseNumber);
  });

  it('is no desk for a citizen (FORBIDDEN), nor for anonymous callers (UNAUTHENTICATED)', async () => {
    expectOneError(await sendDeskOperation(platform.url, 'MyQueue', {}, ana), 'FORBIDDEN');
    const anonymous = await postRaw(platform.url, JSON.stringify({ query: DESK_SOURCE, operationName: 'MyQueue' }), authHeaders(undefined));
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe("Pedro reviews Ana's revalidation (ReviewApplication)", () => {
  let review: any;
  const requestId = `pedro-review-${randomUUID()}`;

  beforeAll(async () => {
    const response = await postRaw(platform.url, JSON.stringify({ query: DESK_SOURCE, operationName: 'ReviewApplication', variables: { id: caseNumber } }), {
      ...authHeaders(pedro),
      'x-request-id': requestId,
    });
    expectNoErrors(response);
    review = response.data.application;
  });

  it('shows the applicant and every requirement checked now, each by the agency owning the fact', () => {
    expect(review.applicant).toEqual({ dni: ANA, fullName: 'Ana María Quispe Mamani' });
    expect(review.requirements).toEqual([
      { code: 'dni-valid', status: 'MET', detail: null, agency: { code: 'RENIEC' } },
      { code: 'licence-revalidable', status: 'MET', detail: null, agency: { code: 'MTC' } },
      { code: 'medical-exam-approved', status: 'MET', detail: null, agency: { code: 'MTC' } },
      { code: 'no-unpaid-fines', status: 'MET', detail: null, agency: { code: 'SAT' } },
    ]);
    expect(review.version).toBe(1);
    expect(review.timeline.map((event: { actor: { kind: string } }) => event.actor.kind)).toEqual(['CITIZEN']);
  });

  it("puts each read on the owning agency's record as Pedro's, with the case number as purpose", async () => {
    const reads = async (subgraph: 'identity' | 'transport' | 'portal') =>
      (
        await platform.subgraphs[subgraph].db.query(
          `SELECT agency, fields, accessor_kind, accessor_id, accessor_agency, purpose FROM access_record WHERE dni = $1 AND request_id = $2 ORDER BY agency, fields`,
          [ANA, requestId],
        )
      ).rows;
    const pedroFor = (agency: string, fields: string[]) => ({ agency, fields, accessor_kind: 'OFFICIAL', accessor_id: 'MTC-0001', accessor_agency: 'MTC', purpose: caseNumber });
    expect(await reads('identity')).toEqual([pedroFor('RENIEC', ['Applicant.fullName']), pedroFor('RENIEC', ['Citizen.identityDocument'])]);
    expect(await reads('transport')).toEqual([pedroFor('MTC', ['Citizen.drivingLicence', 'Citizen.medicalExam']), pedroFor('SAT', ['Citizen.trafficFines'])]);
    // The portal answers in two fetches (the application, then its requirements once the agencies have): one entry each.
    const portal = await reads('portal');
    expect(portal.length).toBeGreaterThan(0);
    for (const entry of portal) expect(entry).toMatchObject({ agency: 'MTC', accessor_kind: 'OFFICIAL', accessor_id: 'MTC-0001', purpose: caseNumber });
  });

  it('is FORBIDDEN to Óscar, and to Carmen, word for word as for a case that does not exist', async () => {
    const missing = 'CUT-2026-999999';
    for (const who of [oscar, carmen]) {
      const theirs = await sendDeskOperation(platform.url, 'ReviewApplication', { id: caseNumber }, who);
      const none = await sendDeskOperation(platform.url, 'ReviewApplication', { id: missing }, who);
      expect(expectOneError(theirs, 'FORBIDDEN').message).toBe(expectOneError(none, 'FORBIDDEN').message);
    }
  });

  it('lets Ana read her own application checked again, on her own behalf', async () => {
    const own = await sendDeskOperation(platform.url, 'ReviewApplication', { id: caseNumber }, ana);
    expectNoErrors(own);
    expect(own.data.application.requirements.map((requirement: { status: string }) => requirement.status)).toEqual(['MET', 'MET', 'MET', 'MET']);
  });
});
