import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addressKey, memoryBuckets } from '../../gateway/rateLimit.js';
import { authHeaders, citizenToken, postRaw, type RawResponse } from '../helpers/graphql.js';
import { ANA, LUIS } from '../helpers/personas.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { MACHINE_REDIS_URL, PrivateRedis, redisPrefix } from '../helpers/redis.js';
import { capturingLogger, startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

const QUERY = JSON.stringify({ query: '{ people { name } }' });

const ask = (gateway: RunningGateway, token?: string, forwardedFor?: string): Promise<RawResponse> =>
  postRaw(gateway.url, QUERY, { ...authHeaders(token), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) });

async function health(gateway: RunningGateway): Promise<Record<string, unknown>> {
  return (await (await fetch(`${gateway.baseUrl}/health`)).json()) as Record<string, unknown>;
}

describe('the token bucket', () => {
  it('lets a whole minute’s worth through at once, then one request per refilled token', async () => {
    let now = 0;
    const buckets = memoryBuckets(() => now);
    const turns = [];
    for (let i = 0; i < 4; i++) turns.push(await buckets.take('a', 3, 60_000));
    expect(turns).toEqual([
      { allowed: true, remaining: 2, resetSeconds: 20 },
      { allowed: true, remaining: 1, resetSeconds: 40 },
      { allowed: true, remaining: 0, resetSeconds: 60 },
      { allowed: false, remaining: 0, resetSeconds: 20 },
    ]);
    expect(await buckets.take('b', 3, 60_000)).toMatchObject({ allowed: true, remaining: 2 });
    now = 19_999;
    expect(await buckets.take('a', 3, 60_000)).toMatchObject({ allowed: false, resetSeconds: 1 });
    now = 20_000;
    expect(await buckets.take('a', 3, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('forgets full buckets rather than grow without bound', async () => {
    let now = 0;
    const buckets = memoryBuckets(() => now, 3);
    for (const key of ['a', 'b', 'c']) await buckets.take(key, 1, 1000);
    now = 5000;
    // The map is full: "a", "b" and "c", full again by now, are forgotten to make room for "d".
    await buckets.take('d', 1, 1000);
    expect(await buckets.take('a', 1, 1000)).toMatchObject({ allowed: true });
    expect(await buckets.take('d', 1, 1000)).toMatchObject({ allowed: false });
  });

  it('counts an IPv6 client by its /64, an IPv4 one (mapped or not) by its address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

let people: ToySubgraph;
let supergraph: string;

beforeAll(async () => {
  people = await startToySubgraph('people');
  supergraph = toySupergraph([people]);
});
afterAll(async () => {
  await people?.close();
});

describe('on the machine’s Redis, shared by two replicas', () => {
  const { keyPrefix, cleanUp } = redisPrefix('ratelimit');
  let replicas: [RunningGateway, RunningGateway];

  beforeAll(async () => {
    const start = () => startGateway({ kind: 'sdl', sdl: supergraph }, { redis: { url: MACHINE_REDIS_URL, keyPrefix }, rateLimits: { addressPerMinute: 5, callerPerMinute: 3 } });
    replicas = [await start(), await start()];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica?.close()));
    await cleanUp();
  });

  it('an address’s anonymous requests spend one bucket whichever replica they reach: exactly its 5, the rest 429', async () => {
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => ask(replicas[i % 2]!)));
    const allowed = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect([allowed.length, refused.length]).toEqual([5, 11]);
    expect(allowed.every((answer) => answer.data?.people?.length === 2)).toBe(true);
    for (const answer of refused) {
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
      expect(answer.errors?.[0]?.message).toMatch(/^This address has sent more than 5 requests in a minute: try again in \d+ s\.$/);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get('ratelimit-policy')).toBe('"address";q=5;w=60');
      expect(answer.headers.get('ratelimit')).toBe(`"address";r=0;t=${answer.headers.get('retry-after')}`);
    }
    expect(allowed.map((answer) => answer.headers.get('ratelimit')?.match(/r=(\d)/)?.[1]).sort()).toEqual(['0', '1', '2', '3', '4']);
  });

  it('a signed-in citizen spends a bucket of their own, not the address’s nor another citizen’s', async () => {
    const [ana, luis] = [await citizenToken(ANA), await citizenToken(LUIS)];
    const anas = await Promise.all(Array.from({ length: 5 }, (_, i) => ask(replicas[i % 2]!, ana)));
    expect(anas.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const refused = anas.find((answer) => answer.status === 429)!;
    expect(refused.errors?.[0]?.message).toMatch(/^You have sent more than 3 requests in a minute/);
    expect(refused.headers.get('ratelimit-policy')).toBe('"caller";q=3;w=60');
    const luiss = await ask(replicas[0], luis);
    expect([luiss.status, luiss.headers.get('ratelimit')]).toEqual([200, expect.stringMatching(/^"caller";r=2;t=\d+$/)]);
    expect(await health(replicas[1])).toMatchObject({ status: 'ok', redis: 'up', rateLimits: { state: 'enforcing', failedOpen: 0 } });
  });
});

describe('a private Redis, killed under requests and started again', () => {
  const log = capturingLogger();
  let redis: PrivateRedis | undefined;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // Behind a proxy on loopback, each test a client of its own (X-Forwarded-For).
    gateway = await startGateway({ kind: 'sdl', sdl: supergraph }, { redis: { url: redis.url, keyPrefix: 'test:' }, rateLimits: { addressPerMinute: 3 }, trustProxy: ['loopback'], logger: log.logger });
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.kill();
  });

  it('lets requests through while Redis is stalled (SIGSTOP), each command given up after 250 ms', async () => {
    redis!.stall();
    try {
      const whileStalled = await Promise.all(Array.from({ length: 10 }, () => ask(gateway, undefined, '198.51.100.1')));
      expect(whileStalled.map((answer) => [answer.status, answer.errors])).toEqual(whileStalled.map(() => [200, undefined]));
      expect(await health(gateway)).toMatchObject({ status: 'degraded', redis: 'down', rateLimits: { state: 'failing open' } });
      expect(log.lines.filter((line) => String(line.msg).startsWith('Redis answers slower than 250 ms'))).toHaveLength(1);
    } finally {
      redis!.resume();
    }
    // Answering again: the address's bucket, untouched while Redis was stalled, is checked again.
    await vi.waitFor(async () => expect((await ask(gateway, undefined, '198.51.100.1')).status).toBe(429), { timeout: 10_000, interval: 100 });
    expect(await health(gateway)).toMatchObject({ status: 'ok', redis: 'up', rateLimits: { state: 'enforcing' } });
  });

  it('lets every request through and says so while Redis is gone, and limits again once it is back', async () => {
    const before = await Promise.all(Array.from({ length: 4 }, () => ask(gateway, undefined, '198.51.100.2')));
    expect(before.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429]);

    await redis!.kill();
    const whileDown = await Promise.all(Array.from({ length: 40 }, () => ask(gateway, undefined, '198.51.100.2')));
    expect(whileDown.map((answer) => [answer.status, answer.errors])).toEqual(whileDown.map(() => [200, undefined]));
    expect(whileDown.every((answer) => answer.headers.get('ratelimit') === null)).toBe(true);
    expect(log.lines.filter((line) => String(line.msg).startsWith('Rate limits cannot be checked'))).toHaveLength(2);
    const down = await health(gateway);
    expect(down).toMatchObject({ status: 'degraded', redis: 'down', rateLimits: { state: 'failing open' } });
    expect((down.rateLimits as { failedOpen: number }).failedOpen).toBeGreaterThanOrEqual(50);

    // A new Redis starts empty: the address has its whole bucket again, and then it runs out.
    await redis!.startAgain();
    let limitedAgain: RawResponse | undefined;
    for (let attempt = 0; attempt < 100 && !limitedAgain; attempt++) {
      const answer = await ask(gateway, undefined, '198.51.100.2');
      expect([200, 429]).toContain(answer.status);
      if (answer.status === 429) limitedAgain = answer;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(limitedAgain?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(log.lines.filter((line) => line.msg === 'Rate limits are checked again')).toHaveLength(2);
    // Requests sent while it was coming back were let through unchecked too.
    const after = await health(gateway);
    expect(after).toMatchObject({ status: 'ok', redis: 'up', rateLimits: { state: 'enforcing' } });
    expect((after.rateLimits as { failedOpen: number }).failedOpen).toBeGreaterThanOrEqual(50);
  });
});
