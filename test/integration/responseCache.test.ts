/**
 * The response cache over the real portal subgraph: the catalogue's answers come from Redis once
 * cached (the portal's database sees no statement), a private answer is never shared, a new
 * supergraph starts from an empty cache, and Redis killed under requests costs nothing but misses.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { citizenToken, postRaw, type RawResponse } from '../helpers/graphql.js';
import { ANA, LUIS } from '../helpers/personas.js';
import { startGateway, startPlatform, type Platform, type RunningGateway } from '../helpers/platform.js';
import { MACHINE_REDIS_URL, PrivateRedis, redisPrefix } from '../helpers/redis.js';
import { CONTRACT_SOURCE } from './support.js';

const { keyPrefix, cleanUp } = redisPrefix('responsecache');
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5, gateway: { redis: { url: MACHINE_REDIS_URL, keyPrefix } } });
});
afterAll(async () => {
  await platform?.close();
  await cleanUp();
});

/** A contract operation through `gateway`, with the statements it cost the portal's database. */
async function send(gateway: RunningGateway, operationName: string, variables: Record<string, unknown>, token?: string): Promise<RawResponse & { statements: number }> {
  let statements = 0;
  const stop = platform.subgraphs.portal.db.onStatement(() => (statements += 1));
  try {
    const body = JSON.stringify({ query: CONTRACT_SOURCE, operationName, variables });
    const response = await postRaw(gateway.url, body, token ? { authorization: `Bearer ${token}` } : {});
    return { ...response, statements };
  } finally {
    stop();
  }
}

const search = (gateway: RunningGateway, text: string, token?: string) => send(gateway, 'SearchProcedures', { text, first: 5 }, token);

describe('on the machine’s Redis', () => {
  it('answers a repeated catalogue search from the cache, with no statement and the same data', async () => {
    const first = await search(platform, 'licencia');
    expect(first.errors).toBeUndefined();
    expect(first.data.procedures.totalCount).toBeGreaterThan(0);
    expect(first.statements).toBeGreaterThan(0);
    expect(first.headers.get('age')).toBeNull();
    expect(first.headers.get('cache-control')).toBe('max-age=60, public');

    const second = await search(platform, 'licencia');
    expect(second.data).toEqual(first.data);
    expect(second.statements).toBe(0);
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    // Other variables are another answer.
    expect((await search(platform, 'dni')).statements).toBeGreaterThan(0);
  });

  it('computes the answer again for a caller who asks for a fresh one (Cache-Control: no-cache)', async () => {
    await search(platform, 'vehiculo');
    expect((await search(platform, 'vehiculo')).statements).toBe(0);
    const body = JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'vehiculo', first: 5 } });
    let statements = 0;
    const stop = platform.subgraphs.portal.db.onStatement(() => (statements += 1));
    const fresh = await postRaw(platform.url, body, { 'cache-control': 'no-cache' }).finally(stop);
    expect([fresh.errors, fresh.headers.get('age'), statements > 0]).toEqual([undefined, null, true]);
  });

  it('never serves a signed-in caller from the cache, nor keeps their answer', async () => {
    const ana = await citizenToken(ANA);
    await search(platform, 'ruc');
    const signedIn = await search(platform, 'ruc', ana);
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.statements).toBeGreaterThan(0);
    expect(signedIn.headers.get('age')).toBeNull();
    expect((await search(platform, 'ruc', ana)).statements).toBeGreaterThan(0);
  });

  it('keeps no answer that holds a citizen’s verdicts: each citizen gets their own', async () => {
    const slug = 'revalidar-licencia-de-conducir';
    const anonymous = [await send(platform, 'WhatDoINeed', { slug }), await send(platform, 'WhatDoINeed', { slug })];
    expect(anonymous.map((answer) => [answer.errors, answer.headers.get('age'), answer.statements > 0])).toEqual([
      [undefined, null, true],
      [undefined, null, true],
    ]);
    const [ana, luis] = [await send(platform, 'WhatDoINeed', { slug }, await citizenToken(ANA)), await send(platform, 'WhatDoINeed', { slug }, await citizenToken(LUIS))];
    const statuses = (answer: RawResponse) => answer.data.procedure.requirements.map((requirement: { status: string }) => requirement.status);
    expect(statuses(ana)).not.toEqual(statuses(luis));
    expect(statuses(anonymous[0]!).every((status: string) => status === 'UNKNOWN')).toBe(true);
  });

  it('starts from an empty cache when the supergraph changes', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ventanilla-cache-'));
    const file = join(folder, 'supergraph.graphql');
    await writeFile(file, platform.supergraphSdl);
    const replica = await startGateway({ kind: 'file', path: file, watch: true }, { redis: { url: MACHINE_REDIS_URL, keyPrefix } });
    try {
      // The same supergraph as the platform's gateway: the answer it cached is this replica's too.
      await search(platform, 'pasaporte');
      expect((await search(replica, 'pasaporte')).statements).toBe(0);

      const changed = platform.supergraphSdl.replace('"""One way to do a procedure."""', '"""One way to do a procedure, online or in person."""');
      expect(changed).not.toBe(platform.supergraphSdl);
      await writeFile(file, changed);
      await vi.waitFor(async () => expect((await postRaw(replica.url, JSON.stringify({ query: '{ __type(name: "Channel") { description } }' }))).data.__type.description).toBe('One way to do a procedure, online or in person.'), { timeout: 5000, interval: 100 });
      const afterChange = await search(replica, 'pasaporte');
      expect([afterChange.errors, afterChange.statements > 0]).toEqual([undefined, true]);
      expect((await search(replica, 'pasaporte')).statements).toBe(0);
    } finally {
      await replica.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

it('still serves a cached catalogue answer while the portal is down', async () => {
  const replica = await startPlatform({ citizens: 5, gateway: { redis: { url: MACHINE_REDIS_URL, keyPrefix } } });
  try {
    const before = await postRaw(replica.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'multa' } }));
    await replica.subgraphs.portal.close();
    const during = await postRaw(replica.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'multa' } }));
    expect([during.status, during.errors, during.data]).toEqual([200, undefined, before.data]);
    expect(during.headers.get('age')).not.toBeNull();
    const uncached = await postRaw(replica.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'partida' } }));
    expect(uncached.errors?.map((error) => error.extensions?.serviceName)).toEqual(['portal']);
  } finally {
    await replica.close();
  }
});

describe('a private Redis, killed under requests and started again', () => {
  let redis: PrivateRedis | undefined;
  let replica: RunningGateway;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    replica = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl }, { redis: { url: redis.url, keyPrefix: 'test:' } });
  });
  afterAll(async () => {
    await replica?.close();
    await redis?.kill();
  });

  it('answers every request while Redis is gone, from the subgraph, and from the cache again once it is back', async () => {
    await search(replica, 'licencia');
    expect((await search(replica, 'licencia')).statements).toBe(0);

    await redis!.kill();
    const whileDown = await Promise.all(Array.from({ length: 40 }, () => search(replica, 'licencia')));
    expect(whileDown.map((answer) => [answer.status, answer.errors, answer.headers.get('age')])).toEqual(whileDown.map(() => [200, undefined, null]));
    expect(whileDown.every((answer) => answer.data.procedures.totalCount > 0)).toBe(true);

    await redis!.startAgain();
    let hit: RawResponse & { statements: number } | undefined;
    for (let attempt = 0; attempt < 60 && !hit; attempt++) {
      const answer = await search(replica, 'licencia');
      expect([answer.status, answer.errors]).toEqual([200, undefined]);
      if (answer.headers.get('age') !== null) hit = answer;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(hit?.statements).toBe(0);
  });
});
