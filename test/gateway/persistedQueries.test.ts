import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRaw } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { MACHINE_REDIS_URL, PrivateRedis, redisPrefix } from '../helpers/redis.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

const QUERY = '{ people { name } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const byHash = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } });
const withQuery = JSON.stringify({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } });
const JSON_HEADERS = { 'content-type': 'application/json' };

let people: ToySubgraph;
let supergraph: string;

beforeAll(async () => {
  people = await startToySubgraph('people');
  supergraph = toySupergraph([people]);
});
afterAll(async () => {
  await people?.close();
});

describe('on the machine’s Redis', () => {
  const { keyPrefix, cleanUp } = redisPrefix('apq');
  const redis = new Redis(MACHINE_REDIS_URL);
  let replicas: RunningGateway[] = [];

  beforeAll(async () => {
    replicas = await Promise.all([0, 1].map(() => startGateway({ kind: 'sdl', sdl: supergraph }, { redis: { url: MACHINE_REDIS_URL, keyPrefix } })));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    redis.disconnect();
    await cleanUp();
  });

  it('a query registered with one replica is known by hash to the other', async () => {
    const [first, second] = replicas as [RunningGateway, RunningGateway];
    const unknown = await postRaw(second.url, byHash, JSON_HEADERS);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await postRaw(first.url, withQuery, JSON_HEADERS);
    expect(registered.data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
    const known = await postRaw(second.url, byHash, JSON_HEADERS);
    expect(known.errors).toBeUndefined();
    expect(known.data).toEqual(registered.data);
    expect(await redis.keys(`${keyPrefix}*`)).toHaveLength(1);
  });
});

describe('a private Redis, killed and started again', () => {
  let redis: PrivateRedis | undefined;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ kind: 'sdl', sdl: supergraph }, { redis: { url: redis.url, keyPrefix: 'test:' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.kill();
  });

  it('every request succeeds while Redis is gone, and queries are shared again once it is back', async () => {
    // A client that follows the APQ protocol: the hash first, the whole query when it is unknown.
    const ask = async () => {
      const first = await postRaw(gateway.url, byHash, JSON_HEADERS);
      return first.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' ? { ...(await postRaw(gateway.url, withQuery, JSON_HEADERS)), miss: true } : { ...first, miss: false };
    };
    expect((await ask()).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
    expect((await ask()).miss).toBe(false);

    await redis!.kill();
    const whileDown = await Promise.all(Array.from({ length: 40 }, () => ask()));
    expect(whileDown.map((answer) => [answer.status, answer.errors])).toEqual(whileDown.map(() => [200, undefined]));
    expect(whileDown.every((answer) => answer.miss)).toBe(true);

    await redis!.startAgain();
    let backAndShared = false;
    for (let attempt = 0; attempt < 60 && !backAndShared; attempt++) {
      const answer = await ask();
      expect([answer.status, answer.errors]).toEqual([200, undefined]);
      backAndShared = !answer.miss;
      if (!backAndShared) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(backAndShared).toBe(true);
  });
});
