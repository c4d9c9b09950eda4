import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { MACHINE_REDIS_URL, PrivateRedis, redisPrefix } from '../helpers/redis.js';
import { capturingLogger, startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

/** What the fake registry serves, and what it was sent. */
interface FakeRegistry {
  url: string;
  current: { id: string; version: number; sdl: string } | null;
  gets: number;
  usage: { operations: { signature: string; name: string | null; coordinates: string[]; count: number }[] }[];
  /** Answer POST /usage with 500, as a registry in trouble. */
  refuseUsage: boolean;
  close(): Promise<void>;
}

/** The registry's HTTP contract, served from `current`: the real registry is another team's. */
async function startFakeRegistry(): Promise<FakeRegistry> {
  const registry: FakeRegistry = { url: '', current: null, gets: 0, usage: [], refuseUsage: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/supergraph') {
      registry.gets += 1;
      if (!registry.current) return void res.writeHead(503).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(registry.current));
    }
    if (req.method === 'POST' && req.url === '/usage') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (registry.refuseUsage) return void res.writeHead(500).end();
        registry.usage.push(JSON.parse(body) as FakeRegistry['usage'][number]);
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  registry.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registry.close = () => new Promise<void>((closed) => server.close(() => closed()));
  return registry;
}

let people: ToySubgraph;
let pets: ToySubgraph;
let peopleOnly: string;
let peopleAndPets: string;

beforeAll(async () => {
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  peopleOnly = toySupergraph([people]);
  peopleAndPets = toySupergraph([people, pets]);
});

afterAll(async () => {
  await people?.close();
  await pets?.close();
});

async function health(gateway: RunningGateway) {
  const response = await fetch(`${gateway.baseUrl}/health`);
  return (await response.json()) as Record<string, unknown>;
}

describe('the registry source, told of a new version through Redis', () => {
  const prefix = redisPrefix('registry-source');
  let registry: FakeRegistry;
  let gateway: RunningGateway;
  let publisher: Redis;

  beforeAll(async () => {
    registry = await startFakeRegistry();
    registry.current = { id: 'v1', version: 1, sdl: peopleOnly };
    publisher = new Redis(MACHINE_REDIS_URL);
    // Polls far apart: a new version served within seconds can only be the notice's doing.
    gateway = await startGateway({ kind: 'registry', url: registry.url, pollMs: 60_000 }, { redis: { url: MACHINE_REDIS_URL, keyPrefix: prefix.keyPrefix } });
  });

  afterAll(async () => {
    await gateway?.close();
    publisher?.disconnect();
    await registry?.close();
    await prefix.cleanUp();
  });

  it('serves the first version, then the next one at once on a notice', async () => {
    expect((await graphql(gateway.url, '{ people { name } }')).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
    expect(errorCodes(await graphql(gateway.url, '{ petCount }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await health(gateway)).toMatchObject({ supergraph: { source: 'registry', version: 1, id: 'v1' } });

    // Subscribing follows the first load: the notice is sent once the gateway listens.
    const channel = `${prefix.keyPrefix}supergraph`;
    await vi.waitFor(async () => expect(await publisher.pubsub('NUMSUB', channel)).toEqual([channel, 1]), { timeout: 2000, interval: 20 });
    registry.current = { id: 'v2', version: 2, sdl: peopleAndPets };
    const published = Date.now();
    expect(await publisher.publish(channel, JSON.stringify({ id: 'v2', version: 2 }))).toBe(1);
    await vi.waitFor(async () => expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 }), { timeout: 2000, interval: 20 });
    expect(Date.now() - published).toBeLessThan(2000);
    expect(await health(gateway)).toMatchObject({ redis: 'up', supergraph: { source: 'registry', version: 2, id: 'v2' } });
  });
});

describe('the registry source, without Redis', () => {
  const log = capturingLogger();
  let registry: FakeRegistry;
  let gateway: RunningGateway;

  beforeAll(async () => {
    registry = await startFakeRegistry();
    gateway = await startGateway({ kind: 'registry', url: registry.url, pollMs: 200 }, { logger: log.logger, waitForReady: false, usageFlushMs: 100 });
  });

  afterAll(async () => {
    await gateway?.close();
    await registry?.close();
  });

  it('waits while the registry has no supergraph, and serves the first it gets', async () => {
    await vi.waitFor(() => expect(registry.gets).toBeGreaterThanOrEqual(2), { timeout: 2000, interval: 20 });
    expect((await fetch(`${gateway.baseUrl}/health`)).status).toBe(503);
    registry.current = { id: 'v1', version: 1, sdl: peopleOnly };
    await gateway.gateway.ready;
    expect((await graphql(gateway.url, '{ people { name } }')).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
  });

  it('serves a new version by polling', async () => {
    registry.current = { id: 'v2', version: 2, sdl: peopleAndPets };
    await vi.waitFor(async () => expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 }), { timeout: 3000, interval: 50 });
    expect((await health(gateway)).supergraph).toEqual({ source: 'registry', version: 2, id: 'v2' });
  });

  it('refuses a version whose SDL is broken, keeps serving the previous one and tells /health', async () => {
    registry.current = { id: 'v3', version: 3, sdl: 'type Query { this is not a supergraph' };
    await vi.waitFor(async () => expect((await health(gateway)).supergraph).toMatchObject({ lastRefusal: { version: 3 } }), { timeout: 3000, interval: 50 });
    const { supergraph } = (await health(gateway)) as { supergraph: { version: number; id: string; lastRefusal: { reason: string; at: string } } };
    expect(supergraph).toMatchObject({ source: 'registry', version: 2, id: 'v2' });
    expect(supergraph.lastRefusal.reason).not.toBe('');
    expect(Date.parse(supergraph.lastRefusal.at)).toBeGreaterThan(Date.now() - 10_000);
    expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 });
    // Polls retry the refused version: it is logged once, not once per poll.
    const gets = registry.gets;
    await vi.waitFor(() => expect(registry.gets).toBeGreaterThanOrEqual(gets + 3), { timeout: 3000, interval: 50 });
    expect(log.lines.filter((line) => line.level === 40 && String(line.msg).includes('version 3 was refused'))).toHaveLength(1);
  });

  it('refuses a version whose subgraph does not answer the health check', async () => {
    registry.current = { id: 'v4', version: 4, sdl: toySupergraph([people, { ...pets, url: 'http://127.0.0.1:9/graphql' }]) };
    await vi.waitFor(async () => expect((await health(gateway)).supergraph).toMatchObject({ version: 2, lastRefusal: { version: 4 } }), { timeout: 5000, interval: 50 });
    const { supergraph } = (await health(gateway)) as { supergraph: { lastRefusal: { reason: string } } };
    expect(supergraph.lastRefusal.reason).toMatch(/health check failed.*\[pets\]/);
    expect((await graphql(gateway.url, '{ people { pets } }')).data).toEqual({ people: [{ pets: ['Michi', 'Firulais'] }, { pets: ['Boby'] }] });
  });

  it('ignores a version it serves already, and follows a registry that went back (reset or restored)', async () => {
    registry.current = { id: 'v2', version: 2, sdl: peopleAndPets };
    const gets = registry.gets;
    await vi.waitFor(() => expect(registry.gets).toBeGreaterThanOrEqual(gets + 3), { timeout: 3000, interval: 50 });
    expect((await health(gateway)).supergraph).toMatchObject({ version: 2, id: 'v2' });
    registry.current = { id: 'v1-again', version: 1, sdl: peopleOnly };
    await vi.waitFor(async () => expect((await health(gateway)).supergraph).toMatchObject({ version: 1, id: 'v1-again' }), { timeout: 3000, interval: 50 });
    expect(errorCodes(await graphql(gateway.url, '{ petCount }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('reports the operations served to the registry', async () => {
    const query = 'query People { people { name } }';
    for (let i = 0; i < 3; i++) expect((await graphql(gateway.url, query)).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
    const signature = createHash('sha256').update(query).digest('hex');
    const reported = () => registry.usage.flatMap(({ operations }) => operations).filter((operation) => operation.signature === signature);
    await vi.waitFor(() => expect(reported().reduce((sum, { count }) => sum + count, 0)).toBe(3), { timeout: 2000, interval: 50 });
    for (const operation of reported()) {
      expect(operation).toMatchObject({ name: 'People' });
      expect(operation.coordinates).toEqual(['Person', 'Person.name', 'Query', 'Query.people', 'String']);
    }
  });
});

describe('the registry source, when Redis restarts', () => {
  let redis: PrivateRedis;
  let registry: FakeRegistry;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    registry = await startFakeRegistry();
    registry.current = { id: 'v1', version: 1, sdl: peopleOnly };
    gateway = await startGateway({ kind: 'registry', url: registry.url, pollMs: 60_000 }, { redis: { url: redis.url, keyPrefix: 'restart:' } });
  });

  afterAll(async () => {
    await gateway?.close();
    await registry?.close();
    await redis?.kill();
  });

  it('subscribes again, and the next notice is heard', async () => {
    await redis.kill();
    await redis.startAgain();
    const publisher = new Redis(redis.url);
    try {
      await vi.waitFor(async () => expect(await publisher.pubsub('NUMSUB', 'restart:supergraph')).toEqual(['restart:supergraph', 1]), { timeout: 5000, interval: 50 });
      registry.current = { id: 'v2', version: 2, sdl: peopleAndPets };
      await publisher.publish('restart:supergraph', JSON.stringify({ id: 'v2', version: 2 }));
      await vi.waitFor(async () => expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 }), { timeout: 2000, interval: 20 });
    } finally {
      publisher.disconnect();
    }
  });
});

describe('the registry source, stopped or failing', () => {
  it('gives up waiting for a first supergraph on stop', async () => {
    const registry = await startFakeRegistry();
    try {
      const gateway = await startGateway({ kind: 'registry', url: registry.url, pollMs: 100 }, { waitForReady: false });
      await vi.waitFor(() => expect(registry.gets).toBeGreaterThanOrEqual(1), { timeout: 2000, interval: 20 });
      await gateway.close();
      await expect(gateway.gateway.ready).rejects.toThrow('stopped before a supergraph was loaded');
      const gets = registry.gets;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(registry.gets).toBe(gets);
    } finally {
      await registry.close();
    }
  });

  it('serves requests while usage reports fail, and says so once', async () => {
    const log = capturingLogger();
    const registry = await startFakeRegistry();
    registry.current = { id: 'v1', version: 1, sdl: peopleOnly };
    registry.refuseUsage = true;
    const gateway = await startGateway({ kind: 'registry', url: registry.url, pollMs: 60_000 }, { logger: log.logger, usageFlushMs: 100 });
    const failures = () => log.lines.filter((line) => String(line.msg).startsWith('a usage report could not be sent')).length;
    try {
      for (let round = 0; round < 3; round++) {
        expect((await graphql(gateway.url, '{ people { name } }')).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(failures()).toBe(1);
      registry.refuseUsage = false;
      await graphql(gateway.url, '{ people { name } }');
      await vi.waitFor(() => expect(registry.usage).toHaveLength(1), { timeout: 2000, interval: 20 });
      // The registry has the report before the gateway has read its answer.
      await vi.waitFor(() => expect(log.lines.some((line) => line.msg === 'usage reports reach the registry again')).toBe(true), { timeout: 2000, interval: 20 });
    } finally {
      await gateway.close();
      await registry.close();
    }
  });
});
