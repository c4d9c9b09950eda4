/**
 * The schema registry as an agency meets it: over HTTP, on PostgreSQL, against the real subgraphs
 * (a publish asks the running subgraph what it serves), with the test identity provider's credentials.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { transportService } from '../../subgraphs/transport/createSubgraph.js';
import { citizenToken, postRaw } from '../helpers/graphql.js';
import { JORGE, LUIS } from '../helpers/personas.js';
import { startGateway, startPlatform, type Platform, type RunningGateway } from '../helpers/platform.js';
import { CONTRACT_SOURCE } from '../integration/support.js';
import { PrivateRedis } from '../helpers/redis.js';
import { startSubgraph, type RunningSubgraph } from '../helpers/subgraph.js';
import { ROOT, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { asService, assertionFor, tokenFor } from '../helpers/trust.js';

const TRANSPORT_SDL = await readFile(join(ROOT, 'subgraphs/transport/schema.graphql'), 'utf8');
const WITHOUT_YEAR = TRANSPORT_SDL.replace(/\n\s*"[^"\n]*"\n\s*year: Int!/, '');
const WITHOUT_COLOUR = TRANSPORT_SDL.replace(/\n\s*"[^"\n]*"\n\s*colour: String!/, '');
const WITH_FUEL = TRANSPORT_SDL.replace('  colour: String!\n', '  colour: String!\n  "Fuel, as SUNARP registers it, e.g. GASOLINA."\n  fuel: String\n');

let platform: Platform;
let redis: PrivateRedis;
let running: RunningRegistry;
/** The transport agency's next build, deployed before it is published: it serves `Vehicle.fuel`. */
let fuelled: RunningSubgraph;
let folder: string;
let base: string;
const mtc = () => tokenFor(asService(['schema:publish'], 'MTC', 'mtc-ci'));
const api: RunningRegistry['api'] = (...args) => running.api(...args);

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
  // A Redis of this suite's own: the last test kills it during a publish.
  redis = await PrivateRedis.start();
  running = await startRegistry(platform, { redis: { url: redis.url, keyPrefix: 'test:' } });
  fuelled = await startSubgraph({ ...transportService, typeDefs: parse(WITH_FUEL) }, { citizens: 5 });
  base = running.url;
  folder = await mkdtemp(join(tmpdir(), 'ventanilla-schema-'));
});
afterAll(async () => {
  await running?.close();
  await fuelled?.close();
  await platform?.close();
  await redis?.kill();
  await rm(folder, { recursive: true, force: true });
});

describe('check', () => {
  it('serves the seeded supergraph, version 1', async () => {
    const { status, body } = await api('GET', '/supergraph');
    expect([status, body.version, typeof body.sdl]).toEqual([200, 1, 'string']);
    expect((await api('GET', '/subgraphs/transport/history')).body.versions).toMatchObject([{ version: 1, agency: 'MTC', publishedBy: 'registry' }]);
  });

  it('refuses removing a field a contract operation reads, naming the operation', async () => {
    const { status, body } = await api('POST', '/subgraphs/transport/check', { sdl: WITHOUT_YEAR });
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.changes).toContainEqual(expect.objectContaining({ criticality: 'BREAKING', coordinate: 'Vehicle.year', operations: [{ name: 'MyRecords', origin: 'contract' }] }));
  });

  it('lets through removing a field no operation used in the window, saying so, until traffic uses it', async () => {
    const unused = await api('POST', '/subgraphs/transport/check', { sdl: WITHOUT_COLOUR });
    expect(unused.body.ok).toBe(true);
    expect(unused.body.changes).toContainEqual(expect.objectContaining({ criticality: 'SAFE', coordinate: 'Vehicle.colour', note: expect.stringContaining('No client operation used Vehicle.colour in the last 30 days') }));

    const report = { operations: [{ signature: 'a'.repeat(64), name: 'PlateColours', coordinates: ['Query.vehicle', 'Vehicle', 'Vehicle.colour'], count: 3 }] };
    // Only gateways report usage: a report without the gateway's assertion is refused.
    expect(await api('POST', '/usage', report)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await api('POST', '/usage', report, await assertionFor('subgraph-not-registry', null))).toMatchObject({ status: 401 });
    const used = await api('POST', '/usage', report, await assertionFor('urn:ventanilla:registry', null));
    expect(used.status).toBe(204);
    const now = await api('POST', '/subgraphs/transport/check', { sdl: WITHOUT_COLOUR });
    expect(now.body.ok).toBe(false);
    expect(now.body.changes).toContainEqual(expect.objectContaining({ criticality: 'BREAKING', coordinate: 'Vehicle.colour', operations: [{ name: 'PlateColours', origin: 'traffic' }] }));
  });

  it('reports a composition error with the subgraph and code', async () => {
    const broken = TRANSPORT_SDL.replace('type Vehicle @key(fields: "plate")', 'type Vehicle @key(fields: "vin")');
    const { body } = await api('POST', '/subgraphs/transport/check', { sdl: broken });
    expect(body.ok).toBe(false);
    expect(body.compositionErrors[0]).toMatchObject({ code: expect.any(String), subgraphs: expect.arrayContaining(['transport']) });
  });

  it('refuses a proposal that takes another agency’s fields, even forced', async () => {
    // SUNAT's new subgraph overriding RENIEC's name of every citizen.
    const takeover = [
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"]) @contact(name: "SUNAT")',
      'directive @contact(name: String!, url: String, description: String) on SCHEMA',
      'type Citizen @key(fields: "dni") { dni: ID! fullName: String! @override(from: "identity") }',
      'type Query { _unused: Boolean }',
    ].join('\n');
    const { body } = await api('POST', '/subgraphs/sunatnames/check', { sdl: takeover, routingUrl: 'http://127.0.0.1:9/graphql' });
    expect(body.ok).toBe(false);
    expect(body.changes).toContainEqual(expect.objectContaining({ criticality: 'BREAKING', type: 'FIELD_TAKEN', coordinate: 'Citizen.fullName', message: expect.stringContaining('answered by identity') }));
    const sunat = await tokenFor(asService(['schema:publish'], 'SUNAT', 'sunat-ci'));
    const forced = await api('POST', '/subgraphs/sunatnames/publish', { sdl: takeover, reason: 'names', force: true, routingUrl: 'http://127.0.0.1:9/graphql' }, sunat);
    expect(forced).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: expect.stringContaining('Citizen.fullName') } } });
    expect((await api('GET', '/supergraph')).body.version).toBe(1);
  });

  it('refuses names that cannot be a subgraph’s, and the registry’s own', async () => {
    for (const name of ['registry', 'Transport', '1st', 'a-b']) {
      expect(await api('POST', `/subgraphs/${name}/check`, { sdl: TRANSPORT_SDL })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    expect(await api('POST', '/subgraphs/weather/check', { sdl: 'type Query { a: Int }' })).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('routingUrl') } } });
    const notJson = await fetch(`${base}/subgraphs/transport/check`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'sdl' });
    expect(notJson.status).toBeLessThan(500);
  });

  it('is a command with an exit code, readable or --json', async () => {
    const file = join(folder, 'without-year.graphql');
    await writeFile(file, WITHOUT_YEAR);
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/schema.ts', ...args, '--registry', base], { cwd: ROOT }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const readable = await run(['check', 'transport', '--sdl', file]);
    expect(readable.code).toBe(1);
    expect(readable.stdout).toContain('BREAKING');
    expect(readable.stdout).toContain('MyRecords');
    const json = await run(['check', 'transport', '--sdl', file, '--json']);
    expect([json.code, JSON.parse(json.stdout).ok]).toEqual([1, false]);
    await writeFile(file, WITH_FUEL);
    expect((await run(['check', 'transport', '--sdl', file])).code).toBe(0);
  }, 60_000);
});

describe('publish', () => {
  it('needs the owning agency’s credential with schema:publish', async () => {
    const proposal = { sdl: WITH_FUEL, reason: 'fuel', routingUrl: fuelled.url };
    expect(await api('POST', '/subgraphs/transport/publish', proposal)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const sunat = await tokenFor(asService(['schema:publish'], 'SUNAT', 'sunat-ci'));
    const another = await api('POST', '/subgraphs/transport/publish', proposal, sunat);
    expect(another).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: expect.stringContaining("transport is MTC's subgraph") } } });
    const noScope = await tokenFor(asService(['transport:read'], 'MTC', 'mtc-ci'));
    expect(await api('POST', '/subgraphs/transport/publish', proposal, noScope)).toMatchObject({ status: 403, body: { error: { message: expect.stringContaining('schema:publish') } } });
    expect((await api('GET', '/supergraph')).body.version).toBe(1);
  });

  it('refuses an SDL that names another owner: a subgraph changes hands only on purpose', async () => {
    const renamed = TRANSPORT_SDL.replace('name: "MTC"', 'name: "MCT"');
    expect(renamed).not.toBe(TRANSPORT_SDL);
    expect(await api('POST', '/subgraphs/transport/publish', { sdl: renamed, reason: 'typo' }, await mtc())).toMatchObject({ status: 403, body: { error: { message: expect.stringContaining('@contact(name: "MTC")') } } });
  });

  it('refuses what its check refuses, and a composition error, writing nothing', async () => {
    const breaking = await api('POST', '/subgraphs/transport/publish', { sdl: WITHOUT_YEAR, reason: 'no more years' }, await mtc());
    expect(breaking).toMatchObject({ status: 422, body: { error: { code: 'CHECK_FAILED' }, report: { ok: false } } });
    const broken = TRANSPORT_SDL.replace('type Vehicle @key(fields: "plate")', 'type Vehicle @key(fields: "vin")');
    expect(await api('POST', '/subgraphs/transport/publish', { sdl: broken, reason: 'vin' }, await mtc())).toMatchObject({ status: 422, body: { error: { code: 'COMPOSITION_FAILED' } } });
    expect((await api('GET', '/supergraph')).body.version).toBe(1);
  });

  it('refuses an SDL that the subgraph at its routing URL does not serve yet', async () => {
    const { status, body } = await api('POST', '/subgraphs/transport/publish', { sdl: WITH_FUEL, reason: 'fuel' }, await mtc());
    expect([status, body.error.code]).toEqual([422, 'SUBGRAPH_MISMATCH']);
    expect(body.error.message).toContain('fuel');
  });

  it('publishes a compatible change the subgraph serves, on the record, and diffs and rolls back', async () => {
    const published = await api('POST', '/subgraphs/transport/publish', { sdl: WITH_FUEL, reason: 'SUNARP registers fuel', routingUrl: fuelled.url }, await mtc());
    expect(published).toMatchObject({ status: 201, body: { version: 2, supergraphVersion: 2, report: { ok: true } } });
    const supergraph = (await api('GET', '/supergraph')).body;
    expect([supergraph.version, supergraph.sdl.includes('fuel: String')]).toEqual([2, true]);

    const history = (await api('GET', '/subgraphs/transport/history')).body.versions;
    expect(history[0]).toMatchObject({ version: 2, agency: 'MTC', publishedBy: 'mtc-ci', reason: 'SUNARP registers fuel', forced: false, routingUrl: fuelled.url });
    expect(history[0].changes).toContainEqual(expect.objectContaining({ criticality: 'SAFE', type: 'FIELD_ADDED', coordinate: 'Vehicle.fuel' }));
    const changes = (await api('GET', '/subgraphs/transport/diff?from=1&to=2')).body.changes;
    expect(changes).toContainEqual(expect.objectContaining({ type: 'FIELD_ADDED', coordinate: 'Vehicle.fuel' }));

    // Back to version 1: the original transport still serves it at its own URL.
    const rolledBack = await api('POST', '/subgraphs/transport/rollback', { version: 1, reason: 'fuel data is wrong' }, await mtc());
    expect(rolledBack).toMatchObject({ status: 201, body: { version: 3, supergraphVersion: 3 } });
    const after = (await api('GET', '/supergraph')).body;
    expect([after.version, after.sdl.includes('fuel: String')]).toEqual([3, false]);
    expect((await api('GET', '/subgraphs/transport/history')).body.versions[0]).toMatchObject({ version: 3, reason: 'rollback to version 1: fuel data is wrong' });
  });

  it('accepts publishing less than the running subgraph serves: code may run ahead of its schema', async () => {
    // The fuelled build serves Vehicle.fuel; publishing the SDL without it there is safe.
    const published = await api('POST', '/subgraphs/transport/publish', { sdl: TRANSPORT_SDL, reason: 'fuel not yet', routingUrl: fuelled.url }, await mtc());
    expect(published).toMatchObject({ status: 201, body: { report: { ok: true } } });
    const back = await api('POST', '/subgraphs/transport/rollback', { version: 1, reason: 'back on the first deployment' }, await mtc());
    expect(back.status).toBe(201);
  });

  it('answers bad requests with a code', async () => {
    expect(await api('POST', '/subgraphs/transport/check', {})).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await api('POST', '/subgraphs/transport/rollback', { version: 99, reason: 'x' }, await mtc())).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await api('GET', '/subgraphs/nowhere/history')).toMatchObject({ status: 404 });
    expect(await api('POST', '/usage', { operations: [{ signature: 'nope' }] }, await assertionFor('urn:ventanilla:registry', null))).toMatchObject({ status: 400 });
  });
});

describe('two gateway replicas serving from the registry', () => {
  const POLL_MS = 2000;
  let replicas: RunningGateway[] = [];

  beforeAll(async () => {
    const start = () => startGateway({ kind: 'registry', url: base, pollMs: POLL_MS }, { redis: { url: redis.url, keyPrefix: 'test:' }, usageFlushMs: 200 });
    replicas = [await start(), await start()];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  const servesFuel = async (replica: RunningGateway) => {
    const answer = await postRaw(replica.url, JSON.stringify({ query: '{ __type(name: "Vehicle") { fields { name } } }' }));
    return (answer.data?.__type?.fields as { name: string }[] | undefined)?.some(({ name }) => name === 'fuel') ?? false;
  };
  /** Milliseconds from now until every replica answers `serving` (checked every 50 ms, for at most 15 s). */
  const untilEvery = async (serving: boolean): Promise<number> => {
    const from = performance.now();
    await vi.waitFor(async () => expect(await Promise.all(replicas.map(servesFuel))).toEqual(replicas.map(() => serving)), { timeout: 15_000, interval: 50 });
    return Math.round(performance.now() - from);
  };

  it('switch to a compatible change within 5 s while requests stream through both, none failing', async () => {
    expect(await Promise.all(replicas.map(servesFuel))).toEqual([false, false]);
    const [jorge, luis] = [await citizenToken(JORGE), await citizenToken(LUIS)];
    const outcomes: { status: number; errors?: unknown }[] = [];
    let streaming = true;
    const stream = Promise.all(
      [0, 1, 2, 3].map(async (loop) => {
        for (let i = loop; streaming; i++) {
          const replica = replicas[i % 2]!;
          const answer = i % 3 === 0
            ? await postRaw(replica.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'licencia' } }))
            : await postRaw(replica.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'MyRecords' }), { authorization: `Bearer ${i % 2 ? jorge : luis}` });
          outcomes.push({ status: answer.status, errors: answer.errors });
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const published = await api('POST', '/subgraphs/transport/publish', { sdl: WITH_FUEL, reason: 'fuel, again', routingUrl: fuelled.url }, await mtc());
    expect(published.status).toBe(201);
    const switchedMs = await untilEvery(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    streaming = false;
    await stream;
    console.log(`registry: both replicas served the published schema ${switchedMs} ms after the publish answered (poll every ${POLL_MS} ms); ${outcomes.length} requests during it`);
    expect(switchedMs).toBeLessThan(5000);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((outcome) => outcome.status !== 200 || outcome.errors)).toEqual([]);
    const health = (await (await fetch(`${replicas[0]!.baseUrl}/health`)).json()) as { supergraph?: { version?: number } };
    expect(health.supergraph?.version).toBe(published.body.supergraphVersion);
  }, 60_000);

  it('go back with a rollback', async () => {
    const rolledBack = await api('POST', '/subgraphs/transport/rollback', { version: 1, reason: 'back to the first version' }, await mtc());
    expect(rolledBack.status).toBe(201);
    expect(await untilEvery(false)).toBeLessThan(5000);
  }, 30_000);

  it('converge by polling when Redis is killed during a publish', async () => {
    await redis.kill();
    const published = await api('POST', '/subgraphs/transport/publish', { sdl: WITH_FUEL, reason: 'fuel, with Redis down', routingUrl: fuelled.url }, await mtc());
    expect(published.status).toBe(201);
    const convergedMs = await untilEvery(true);
    console.log(`registry: with Redis down, both replicas served the published schema ${convergedMs} ms after the publish (poll every ${POLL_MS} ms)`);
    await redis.startAgain();
  }, 30_000);

  it('report what clients send, and the next check weighs it', async () => {
    // Vehicle.fuel is served now (the test above); no contract operation reads it, but this client does.
    const lookup = await postRaw(replicas[0]!.url, JSON.stringify({ query: 'query FuelLookup { vehicle(plate: "BKR512") { plate fuel } }' }));
    expect([lookup.status, lookup.errors]).toEqual([200, undefined]);
    await vi.waitFor(async () => {
      const { body } = await api('POST', '/subgraphs/transport/check', { sdl: TRANSPORT_SDL });
      expect(body.changes).toContainEqual(expect.objectContaining({ criticality: 'BREAKING', coordinate: 'Vehicle.fuel', operations: [{ name: 'FuelLookup', origin: 'traffic' }] }));
    }, { timeout: 10_000, interval: 200 });
  }, 30_000);
});

describe('on PGlite, the embedded default', () => {
  it('checks and publishes as on PostgreSQL', async () => {
    const embedded = await startRegistry(platform, { engine: 'pglite' });
    try {
      expect((await embedded.api('POST', '/subgraphs/transport/check', { sdl: WITHOUT_YEAR })).body.ok).toBe(false);
      const published = await embedded.api('POST', '/subgraphs/transport/publish', { sdl: WITH_FUEL, reason: 'fuel', routingUrl: fuelled.url }, await mtc());
      expect(published).toMatchObject({ status: 201, body: { version: 2, supergraphVersion: 2 } });
      expect((await embedded.api('GET', '/supergraph')).body.version).toBe(2);
    } finally {
      await embedded.close();
    }
  }, 30_000);
});
