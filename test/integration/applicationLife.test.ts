/**
 * One application's whole life through the gateway, from both sides, with the contracts sent verbatim
 * (portal, desk, accountability): Ana starts a licence revalidation; Pedro (MTC-0001) finds it in his
 * queue, reviews it and moves it to IN_REVIEW and APPROVED; his stale version is CONFLICT and a skip
 * the lifecycle forbids BAD_USER_INPUT; Óscar (RENIEC-0001) can neither read nor move it; Ana's open
 * stream carries each move; her timeline says who moved it, from which status and at which office;
 * WhoSawMyData shows Pedro's reads with the case number as purpose; Ana cancels another undecided
 * application, which Carmen cannot.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, graphql, officialToken, type Credentials } from '../helpers/graphql.js';
import { ANA, CARMEN } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { openStream, type Stream } from '../helpers/stream.js';
import { makeRoom } from '../helpers/subgraph.js';
import { accountabilityOperation, expectNoErrors, expectOneError, sendContractOperation, sendDeskOperation } from './support.js';

const REVALIDATION = 'revalidar-licencia-de-conducir';
const DUPLICATE = 'duplicado-de-dni';

let platform: Platform;
let ana: string;
let carmen: string;
let pedro: Credentials;
let oscar: Credentials;
let stream: Stream;
let caseNumber: string;
/** Milliseconds from a move's response to its event on Ana's stream. */
const latencies: number[] = [];

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
  [ana, carmen] = await Promise.all([citizenToken(ANA), citizenToken(CARMEN)]);
  [pedro, oscar] = await Promise.all([officialToken('MTC-0001', undefined), officialToken('RENIEC-0001', undefined)]);
  await makeRoom(platform.subgraphs.portal.db, ANA, REVALIDATION);
  await makeRoom(platform.subgraphs.portal.db, ANA, DUPLICATE);
  stream = await openStream(platform.baseUrl, ana, { query: accountabilityOperation('MyApplicationUpdates') });
});
afterAll(async () => {
  stream?.close();
  await platform?.close();
  if (latencies.length) console.info(`application life: a move reached Ana's open stream in ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`);
});

const move = (to: string, expectedVersion: number, note: string, who: Credentials = pedro) =>
  sendDeskOperation(platform.url, 'MoveApplication', { input: { applicationId: caseNumber, to, note, expectedVersion } }, who);

/** A move by Pedro, and the event it puts on Ana's stream, timed from the move's answer. */
async function moveAndWatch(to: string, expectedVersion: number, note: string) {
  const moved = await move(to, expectedVersion, note);
  expectNoErrors(moved);
  const answered = performance.now();
  const event = await stream.next();
  latencies.push(event.at - answered);
  return { moved: moved.data.moveApplication.application, event };
}

describe("a revalidation's life", () => {
  it('Ana starts it (StartApplication): everything is in order, so it is SUBMITTED and on her stream', async () => {
    const started = await sendContractOperation(
      platform.url,
      'StartApplication',
      { input: { procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mtc-lima-centro', idempotencyKey: randomUUID() } },
      ana,
    );
    expectNoErrors(started);
    expect(started.data.startApplication.unmetRequirements).toEqual([]);
    caseNumber = started.data.startApplication.application.id;
    expect(started.data.startApplication.application.status).toBe('SUBMITTED');
    const event = await stream.next();
    expect(event.data.data.applicationUpdated).toMatchObject({ id: caseNumber, status: 'SUBMITTED' });
  });

  it('Pedro finds it in his queue (MyQueue) and reviews it (ReviewApplication)', async () => {
    const queue = await sendDeskOperation(platform.url, 'MyQueue', { status: ['SUBMITTED'], officeId: 'mtc-lima-centro', first: 100 }, pedro);
    expectNoErrors(queue);
    const mine = queue.data.desk.queue.edges.find((edge: { node: { id: string } }) => edge.node.id === caseNumber);
    expect(mine.node).toMatchObject({ status: 'SUBMITTED', procedure: { slug: REVALIDATION }, applicant: { dni: ANA, fullName: 'Ana María Quispe Mamani' }, overdue: false });
    const review = await sendDeskOperation(platform.url, 'ReviewApplication', { id: caseNumber }, pedro);
    expectNoErrors(review);
    expect(review.data.application).toMatchObject({ version: 1, status: 'SUBMITTED', applicant: { dni: ANA } });
    expect(review.data.application.requirements.map((requirement: { status: string }) => requirement.status)).toEqual(['MET', 'MET', 'MET', 'MET']);
  });

  it('Óscar, of RENIEC, can neither read it nor move it', async () => {
    expectOneError(await sendDeskOperation(platform.url, 'ReviewApplication', { id: caseNumber }, oscar), 'FORBIDDEN');
    expectOneError(await move('IN_REVIEW', 1, 'No es mío.', oscar), 'FORBIDDEN');
  });

  it('Pedro moves it to IN_REVIEW, and Ana’s stream carries it', async () => {
    const { moved, event } = await moveAndWatch('IN_REVIEW', 1, 'Documentos verificados en el sistema.');
    expect(moved).toMatchObject({ version: 2, status: 'IN_REVIEW' });
    expect(event.data.data.applicationUpdated).toMatchObject({ id: caseNumber, status: 'IN_REVIEW', updatedAt: moved.updatedAt, nextStep: moved.nextStep });
  });

  it('refuses his stale version (CONFLICT) and a skip the lifecycle forbids (BAD_USER_INPUT), leaving nothing on the stream', async () => {
    expectOneError(await move('APPROVED', 1, 'Con la versión vieja.'), 'CONFLICT');
    expectOneError(await move('READY_FOR_PICKUP', 2, 'Saltando la aprobación.'), 'BAD_USER_INPUT');
    expect(await stream.pending(500)).toEqual([]);
  });

  it('Pedro approves it, and Ana’s stream carries that too', async () => {
    const { moved, event } = await moveAndWatch('APPROVED', 2, 'Se cumplen todos los requisitos.');
    expect(moved).toMatchObject({ version: 3, status: 'APPROVED' });
    expect(event.data.data.applicationUpdated).toMatchObject({ id: caseNumber, status: 'APPROVED' });
  });

  it('shows Ana her timeline: who moved it, from which status, at which office', async () => {
    const mine = await sendContractOperation(platform.url, 'WhereIsMyApplication', {}, ana);
    expectNoErrors(mine);
    expect(mine.data.me.applications.find((application: { id: string }) => application.id === caseNumber).status).toBe('APPROVED');
    const timeline = await graphql(
      platform.url,
      'query($id: ID!) { application(id: $id) { timeline { from status note actor { kind id name agency { code } } office { id } } } }',
      { id: caseNumber },
      ana,
    );
    expectNoErrors(timeline);
    const pedroAt = { kind: 'OFFICIAL', id: 'MTC-0001', name: 'Pedro Salas Rojas', agency: { code: 'MTC' } };
    expect(timeline.data.application.timeline).toEqual([
      { from: null, status: 'SUBMITTED', note: expect.any(String), actor: { kind: 'CITIZEN', id: ANA, name: null, agency: null }, office: { id: 'mtc-lima-centro' } },
      { from: 'SUBMITTED', status: 'IN_REVIEW', note: 'Documentos verificados en el sistema.', actor: pedroAt, office: { id: 'mtc-lima-centro' } },
      { from: 'IN_REVIEW', status: 'APPROVED', note: 'Se cumplen todos los requisitos.', actor: pedroAt, office: { id: 'mtc-lima-centro' } },
    ]);
  });

  it("shows in Ana's WhoSawMyData Pedro's reads of her data, with the case number as purpose", async () => {
    const response = await graphql(platform.url, accountabilityOperation('WhoSawMyData'), { first: 100 }, ana);
    expectNoErrors(response);
    const pedros = response.data.me.dataAccess.edges
      .map((edge: { node: { agency: { code: string }; fields: string[]; accessor: { id: string }; purpose: string } }) => edge.node)
      .filter((node: { accessor: { id: string } }) => node.accessor.id === 'MTC-0001');
    expect(new Set(pedros.map((node: { purpose: string }) => node.purpose))).toEqual(new Set([caseNumber]));
    const read = new Set(pedros.flatMap((node: { agency: { code: string }; fields: string[] }) => node.fields.map((field) => `${node.agency.code} ${field}`)));
    for (const expected of ['RENIEC Applicant.fullName', 'RENIEC Citizen.identityDocument', 'MTC Citizen.drivingLicence', 'MTC Citizen.medicalExam', 'SAT Citizen.trafficFines']) {
      expect(read.has(expected), expected).toBe(true);
    }
  });
});

describe('another application, cancelled', () => {
  let duplicate: string;

  beforeAll(async () => {
    const started = await sendContractOperation(platform.url, 'StartApplication', { input: { procedureSlug: DUPLICATE, channel: 'ONLINE', idempotencyKey: randomUUID() } }, ana);
    expectNoErrors(started);
    duplicate = started.data.startApplication.application.id;
    expect((await stream.next()).data.data.applicationUpdated).toMatchObject({ id: duplicate, status: 'SUBMITTED' });
  });

  const cancel = (reason: string, who: string) => graphql(platform.url, accountabilityOperation('CancelApplication'), { id: duplicate, reason }, who);

  it('cannot be cancelled by Carmen: FORBIDDEN, and nothing changes', async () => {
    expectOneError(await cancel('No es mía.', carmen), 'FORBIDDEN');
    expect(await stream.pending(500)).toEqual([]);
  });

  it('is cancelled by Ana with her reason on its record, and her stream says so', async () => {
    const cancelled = await cancel('Encontré mi DNI.', ana);
    expectNoErrors(cancelled);
    const { application } = cancelled.data.cancelApplication;
    expect(application.status).toBe('CANCELLED');
    expect(application.timeline.at(-1)).toMatchObject({ from: 'SUBMITTED', status: 'CANCELLED', note: expect.stringContaining('Encontré mi DNI.'), actor: { kind: 'CITIZEN', id: ANA } });
    expect((await stream.next()).data.data.applicationUpdated).toMatchObject({ id: duplicate, status: 'CANCELLED' });
  });
});
