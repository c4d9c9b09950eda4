/**
 * The citizen's live tracker (the accountability contract's MyApplicationUpdates) over Server-Sent
 * Events, end to end: through the gateway's /graphql/stream to the portal, which executes it. One event
 * per change of the citizen's applications, in order, with its id; nobody else's; a reconnection
 * with Last-Event-ID gets exactly what was missed; two portal replicas on Redis follow each other's
 * changes; a portal that goes away is named in the stream's last event.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import { applicationsChannel, LOST_NOTICE_RECHECK_MS } from '../../subgraphs/portal/liveUpdates.js';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import type { SubgraphServer } from '../../subgraphs/shared/service.js';
import { citizenToken, graphql, officialToken, postRaw, type Credentials } from '../helpers/graphql.js';
import { startGateway, startPlatform, type Platform, type RunningGateway } from '../helpers/platform.js';
import { ANA, CARMEN } from '../helpers/personas.js';
import { MACHINE_REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { makeRoom } from '../helpers/subgraph.js';
import { testGatewayKeys } from '../helpers/trust.js';
import { openStream, type StreamEvent } from '../helpers/stream.js';
import { accountabilityOperation } from './support.js';
import { Redis } from 'ioredis';

const MY_APPLICATION_UPDATES = accountabilityOperation('MyApplicationUpdates');
const REVALIDATION = 'revalidar-licencia-de-conducir';
const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
const MOVE = 'mutation($input: MoveApplicationInput!) { moveApplication(input: $input) { application { id version status } } }';
/** How long a stream is watched to show that nothing (more) arrives. */
const QUIET_MS = 700;

let platform: Platform;
let ana: string;
let carmen: string;
let pedro: Credentials;
/** Milliseconds from a mutation's response to its event's arrival, for the report: on the replica serving the stream, and across replicas through Redis. */
const latencies: Record<'one replica' | 'across Redis', number[]> = { 'one replica': [], 'across Redis': [] };

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
  ana = await citizenToken(ANA);
  carmen = await citizenToken(CARMEN);
  pedro = await officialToken('MTC-0001', 'revisión del expediente');
});
afterAll(async () => {
  await platform?.close();
  for (const [where, measured] of Object.entries(latencies)) {
    const sorted = [...measured].sort((a, b) => a - b);
    if (sorted.length) console.info(`live update latency, ${where}, ${sorted.length} events (ms): min ${sorted[0]!.toFixed(1)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}`);
  }
});

/**
 * Closes Ana's open revalidation, if any (an event of its own): done before a test opens its stream,
 * which would otherwise carry that event too. She may hold one open at a time.
 */
const makeRoomForAna = () => makeRoom(platform.subgraphs.portal.db, ANA, REVALIDATION);

/** Ana starts a licence revalidation: its SUBMITTED event is her first of it. */
async function anaApplies(gatewayUrl = platform.url): Promise<string> {
  const started = await graphql(gatewayUrl, START, { input: { procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mac-lima-norte', idempotencyKey: randomUUID() } }, ana);
  expect(started.errors).toBeUndefined();
  return started.data.startApplication.application.id;
}

/** Pedro (MTC) moves it; resolves with performance.now() at the mutation's response. */
async function pedroMoves(applicationId: string, to: string, expectedVersion: number, url = platform.url): Promise<number> {
  const moved = await graphql(url, MOVE, { input: { applicationId, to, note: 'Revisado.', expectedVersion } }, pedro);
  const answeredAt = performance.now();
  expect(moved.errors).toBeUndefined();
  expect(moved.data.moveApplication.application.status).toBe(to);
  return answeredAt;
}

function expectUpdate(event: StreamEvent, id: string, status: string) {
  expect(event.event).toBe('next');
  expect(event.id).toMatch(/^\d+$/);
  expect(event.data.errors).toBeUndefined();
  expect(event.data.data.applicationUpdated).toMatchObject({ id, status, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
}

describe("Ana's stream", () => {
  it('carries one event per change of her applications, in order, each with its id, and nothing of hers reaches Carmen', async () => {
    await makeRoomForAna();
    const mine = await openStream(platform.baseUrl, ana);
    const carmens = await openStream(platform.baseUrl, carmen);
    expect([mine.status, carmens.status]).toEqual([200, 200]);
    const id = await anaApplies();
    const submitted = await mine.next();
    expectUpdate(submitted, id, 'SUBMITTED');
    expect(submitted.data.data.applicationUpdated).toHaveProperty('nextStep');
    const ids = [Number(submitted.id)];
    for (const [to, version] of [['IN_REVIEW', 1], ['ACTION_REQUIRED', 2], ['IN_REVIEW', 3], ['APPROVED', 4]] as const) {
      const answeredAt = await pedroMoves(id, to, version);
      const event = await mine.next();
      latencies['one replica'].push(event.at - answeredAt);
      expectUpdate(event, id, to);
      ids.push(Number(event.id));
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await mine.pending(QUIET_MS)).toEqual([]);
    expect(await carmens.pending(0)).toEqual([]);
    mine.close();
    carmens.close();
  });

  it('records each event it sends on the portal\'s access record, as a read by Ana, under the stream\'s request id', async () => {
    await makeRoomForAna();
    const mine = await openStream(platform.baseUrl, ana);
    const id = await anaApplies();
    expectUpdate(await mine.next(), id, 'SUBMITTED');
    mine.close();
    // The start's own reads are recorded under its request: the stream's are looked up by theirs.
    const { rows } = await platform.subgraphs.portal.db.query('SELECT dni, agency, fields, accessor_kind, accessor_id FROM access_record WHERE request_id = $1', [mine.requestId]);
    expect(rows).toEqual([{ dni: ANA, agency: 'MTC', fields: ['Application.id', 'Application.nextStep', 'Application.status', 'Application.updatedAt'], accessor_kind: 'CITIZEN', accessor_id: ANA }]);
  });

  it('reconnecting with Last-Event-ID gets exactly the events missed meanwhile, none twice, then the new ones', async () => {
    await makeRoomForAna();
    const first = await openStream(platform.baseUrl, ana);
    const id = await anaApplies();
    const submitted = await first.next();
    expectUpdate(submitted, id, 'SUBMITTED');
    await pedroMoves(id, 'IN_REVIEW', 1);
    const reviewing = await first.next();
    first.close();
    // Made while Ana is away.
    await pedroMoves(id, 'ACTION_REQUIRED', 2);
    await pedroMoves(id, 'IN_REVIEW', 3);
    const again = await openStream(platform.baseUrl, ana, { lastEventId: reviewing.id! });
    const missed = [await again.next(), await again.next()];
    expectUpdate(missed[0]!, id, 'ACTION_REQUIRED');
    expectUpdate(missed[1]!, id, 'IN_REVIEW');
    expect(Number(missed[0]!.id)).toBeGreaterThan(Number(reviewing.id));
    expect(await again.pending(QUIET_MS)).toEqual([]);
    await pedroMoves(id, 'APPROVED', 4);
    expectUpdate(await again.next(), id, 'APPROVED');
    expect(await again.pending(QUIET_MS)).toEqual([]);
    again.close();
  });
});

describe('what /graphql/stream refuses', () => {
  it('refuses an anonymous caller and a bad token with 401 UNAUTHENTICATED', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const answer = await postRaw(`${platform.baseUrl}/graphql/stream`, JSON.stringify({ query: MY_APPLICATION_UPDATES }), { accept: 'text/event-stream', ...headers });
      expect([answer.status, answer.errors?.map((error) => error.extensions?.code)]).toEqual([401, ['UNAUTHENTICATED']]);
    }
  });

  it('refuses a query, an invalid subscription and a body without one, each with its code', async () => {
    const cases: [string, number, string][] = [
      [JSON.stringify({ query: '{ procedures(first: 1) { totalCount } }' }), 400, 'BAD_REQUEST'],
      [JSON.stringify({ query: 'subscription { applicationUpdated { nope } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      [JSON.stringify({ query: 'subscription {' }), 400, 'GRAPHQL_PARSE_FAILED'],
      // The portal runs the whole operation: a field it needs the agencies for cannot be followed.
      [JSON.stringify({ query: 'subscription { applicationUpdated { id procedure { requirements { code status } } } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      [JSON.stringify({ variables: {} }), 400, 'BAD_REQUEST'],
      ['{not json', 400, 'BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await postRaw(`${platform.baseUrl}/graphql/stream`, body, { accept: 'text/event-stream', authorization: `Bearer ${ana}` });
      expect([answer.status, answer.errors?.map((error) => error.extensions?.code)]).toEqual([status, [code]]);
    }
    // And /graphql still serves no subscription.
    const overHttp = await graphql(platform.url, MY_APPLICATION_UPDATES, {}, ana);
    expect([overHttp.status, overHttp.errors?.map((error) => error.extensions?.code)]).toEqual([400, ['BAD_REQUEST']]);
  });

  it('refuses what /graphql would refuse as too costly: each event runs the selection again', async () => {
    const strict = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl }, { queryLimits: { maxCost: 3 } });
    try {
      const answer = await postRaw(`${strict.baseUrl}/graphql/stream`, JSON.stringify({ query: MY_APPLICATION_UPDATES }), { accept: 'text/event-stream', authorization: `Bearer ${ana}` });
      expect([answer.status, answer.errors?.map((error) => error.extensions?.code)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
      expect(answer.errors?.[0]?.message).toMatch(/cost limit of 3/);
    } finally {
      await strict.close();
    }
  });

  it("tells an official the stream is not theirs: FORBIDDEN from the portal, then complete", async () => {
    const stream = await openStream(platform.baseUrl, pedro.token);
    const refused = await stream.next();
    expect(refused.event).toBe('next');
    expect(refused.data.errors.map((error: { extensions: Record<string, unknown> }) => error.extensions)).toEqual([{ code: 'FORBIDDEN', serviceName: 'portal' }]);
    expect((await stream.next()).event).toBe('complete');
  });

  it('tells a client whose Last-Event-ID is none of the portal\'s: BAD_USER_INPUT', async () => {
    const stream = await openStream(platform.baseUrl, ana, { lastEventId: 'yesterday' });
    expect((await stream.next()).data.errors.map((error: { extensions: Record<string, unknown> }) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect((await stream.next()).event).toBe('complete');
  });

  it("serves the portal's stream only to the gateway: 401 without its assertion", async () => {
    const answer = await postRaw(`${platform.subgraphs.portal.url}/stream`, JSON.stringify({ query: MY_APPLICATION_UPDATES }), { accept: 'text/event-stream', authorization: `Bearer ${ana}` });
    expect([answer.status, answer.errors?.map((error) => error.extensions?.code)]).toEqual([401, ['UNAUTHENTICATED']]);
  });
});

describe('two portal replicas on one database and one Redis', () => {
  const { keyPrefix, cleanUp } = redisPrefix('live-updates');
  const replicas: { server: SubgraphServer; listening: Listening; url: string }[] = [];
  let second: RunningGateway;
  let thirdForMoves: RunningGateway;

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const server = await portalService.create({
        db: platform.subgraphs.portal.db,
        logger: createLogger('portal', 'silent'),
        gatewayKeys: await testGatewayKeys(),
        redis: { url: MACHINE_REDIS_URL, keyPrefix },
      });
      const listening = await listen(server.app, 0, '127.0.0.1');
      replicas.push({ server, listening, url: `${listening.url}/graphql` });
    }
    // The gateway that serves Ana's stream routes to replica 2; the official's moves go through replica 1.
    second = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl }, { subgraphUrls: { portal: replicas[1]!.url } });
    thirdForMoves = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl }, { subgraphUrls: { portal: replicas[0]!.url } });
    // Both replicas listen on the channel before anything is moved.
    const probe = new Redis(MACHINE_REDIS_URL);
    try {
      let listeners = 0;
      for (let attempt = 0; attempt < 200 && listeners < 2; attempt += 1) {
        [, listeners] = (await probe.pubsub('NUMSUB', applicationsChannel(keyPrefix))) as [string, number];
        if (listeners < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(listeners, 'both portal replicas subscribed to the channel').toBe(2);
    } finally {
      probe.disconnect();
    }
  });
  afterAll(async () => {
    await second?.close();
    await thirdForMoves?.close();
    for (const { server, listening } of replicas) {
      await listening.close(100);
      await server.stop();
    }
    await cleanUp();
  });

  it('a move made on replica 1 reaches a stream served by replica 2', async () => {
    await makeRoomForAna();
    const stream = await openStream(second.baseUrl, ana);
    const id = await anaApplies(thirdForMoves.url);
    expectUpdate(await stream.next(), id, 'SUBMITTED');
    for (const [to, version] of [['IN_REVIEW', 1], ['ACTION_REQUIRED', 2], ['IN_REVIEW', 3], ['APPROVED', 4]] as const) {
      const answeredAt = await pedroMoves(id, to, version, thirdForMoves.url);
      const event = await stream.next();
      latencies['across Redis'].push(event.at - answeredAt);
      expectUpdate(event, id, to);
    }
    expect(await stream.pending(QUIET_MS)).toEqual([]);
    stream.close();
  });

  it('delivers an event whose notice was lost, when the stream looks again on its own', async () => {
    await makeRoomForAna();
    const stream = await openStream(second.baseUrl, ana);
    const id = await anaApplies(thirdForMoves.url);
    expectUpdate(await stream.next(), id, 'SUBMITTED');
    // Written straight to the database: no replica hears of it, as when a notice is lost.
    await makeRoomForAna();
    expectUpdate(await stream.next(LOST_NOTICE_RECHECK_MS + 2000), id, 'CANCELLED');
    stream.close();
  });

  it('when the replica serving a stream goes away, the stream says SUBGRAPH_UNAVAILABLE naming the portal, then completes', async () => {
    const stream = await openStream(second.baseUrl, ana);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const gone = replicas.pop()!;
    await gone.listening.close(100);
    await gone.server.stop();
    const last = await stream.next();
    expect(last.event).toBe('next');
    expect(last.data.errors.map((error: { extensions: Record<string, unknown> }) => error.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'portal' }]);
    expect((await stream.next()).event).toBe('complete');
    // The gateway still serves: a new stream is told the same at once.
    const again = await openStream(second.baseUrl, ana);
    expect((await again.next()).data.errors[0].extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'portal' });
    again.close();
  });
});
