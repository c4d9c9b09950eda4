import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphql } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

/** Without Redis, and with the test gateway's rate limits off (see helpers/platform.ts). */
const MEMORY = { redis: 'memory', rateLimits: { state: 'off', failedOpen: 0 } };

let folder: string;
let people: ToySubgraph;
let pets: ToySubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ventanilla-health-'));
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  // The supergraph file does not exist yet: the gateway listens and waits for it.
  gateway = await startGateway({ kind: 'file', path: join(folder, 'supergraph.graphql'), watch: true }, {
    waitForReady: false,
    // A subgraph back shows up once its circuit lets a probe through.
    traffic: { breakerCooldownMs: 500 },
  });
});

afterAll(async () => {
  await gateway?.close();
  await people?.close();
  await pets?.close();
  await rm(folder, { recursive: true, force: true });
});

async function health() {
  const response = await fetch(`${gateway.baseUrl}/health`);
  return { status: response.status, body: await response.json() };
}

describe('GET /health', () => {
  it('is 503 "starting", and /graphql 503, until a supergraph is loaded', async () => {
    expect(await health()).toEqual({ status: 503, body: { status: 'starting' } });
    const response = await graphql(gateway.url, '{ petCount }');
    expect(response.status).toBe(503);
    expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('is 200 once the supergraph is loaded and every subgraph answers', async () => {
    await writeFile(join(folder, 'supergraph.graphql'), toySupergraph([people, pets]));
    await gateway.gateway.ready;
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', subgraphs: { people: 'up', pets: 'up' }, circuits: { people: 'closed', pets: 'closed' }, ...MEMORY } });
    expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 });
  });

  it('is 503 naming the subgraph that stopped answering, and 200 again when it is back', async () => {
    const port = Number(new URL(pets.url).port);
    await pets.close();
    // Answers are cached for about a second, so the change shows up within a few probes.
    await vi.waitFor(async () => {
      expect(await health()).toEqual({
        status: 503,
        body: { status: 'unavailable', down: ['pets'], subgraphs: { people: 'up', pets: 'down' }, circuits: { people: 'closed', pets: expect.any(String) }, ...MEMORY },
      });
    }, { timeout: 5000, interval: 200 });
    // Every failed ping counts: the pets circuit opens, and its pings fail without contacting it.
    await vi.waitFor(async () => expect((await health()).body).toMatchObject({ circuits: { pets: 'open' } }), { timeout: 10_000, interval: 200 });

    pets = await startToySubgraph('pets', port);
    await vi.waitFor(async () => expect(await health()).toMatchObject({ status: 200, body: { circuits: { pets: 'closed' } } }), { timeout: 5000, interval: 200 });
  });
});
