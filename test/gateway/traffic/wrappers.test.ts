import { afterEach, describe, expect, it } from 'vitest';
import { breakers, CircuitOpenError } from '../../../gateway/traffic/breaker.js';
import { chainTraffic } from '../../../gateway/traffic/chain.js';
import { dedup } from '../../../gateway/traffic/dedup.js';
import { operationKind } from '../../../gateway/traffic/operation.js';
import { subgraphPool, type SubgraphPool } from '../../../gateway/traffic/pool.js';
import { retry } from '../../../gateway/traffic/retry.js';
import { timeout } from '../../../gateway/traffic/timeout.js';
import { contextOf, ok, query, silent, status, toyServer, type ToyServer } from './toyServer.js';

let servers: ToyServer[] = [];
let pools: SubgraphPool[] = [];
async function server(answer?: ToyServer['answer']) {
  const toy = await toyServer(answer);
  servers.push(toy);
  return toy;
}
function pool() {
  const made = subgraphPool();
  pools.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(pools.map((made) => made.close()));
  await Promise.all(servers.map((toy) => toy.close()));
  servers = [];
  pools = [];
});

describe('operationKind', () => {
  it('tells the operation a body carries, by operationName when there are several', () => {
    expect(operationKind(JSON.stringify({ query: '{ a }' }))).toBe('query');
    expect(operationKind(JSON.stringify({ query: 'mutation M { a }' }))).toBe('mutation');
    expect(operationKind(JSON.stringify({ query: '# mutation\nquery Q { mutation: a }' }))).toBe('query');
    expect(operationKind(JSON.stringify({ query: 'query Q { a } mutation M { b }', operationName: 'M' }))).toBe('mutation');
    expect(operationKind(JSON.stringify({ query: 'query Q { a } mutation M { b }' }))).toBeNull();
    expect(operationKind('not json')).toBeNull();
  });
});

describe('pool', () => {
  it('sends fetches to one origin over one kept-alive connection', async () => {
    const toy = await server();
    const send = chainTraffic([], pool().send);
    for (let i = 0; i < 10; i++) expect(await (await send(query(toy.url))).json()).toEqual({ data: { ok: true } });
    expect(toy.requests).toBe(10);
    // Without keep-alive each fetch would open its own; a socket may be replaced while undici releases it.
    expect(toy.connections).toBeLessThanOrEqual(2);
  });
});

describe('retry', () => {
  const retrying = (retries: number, budgetPercent = 100) => chainTraffic([retry({ retries, budgetPercent }, silent)], pool().send);

  it('retries a query answered 503 until it succeeds', async () => {
    let failures = 2;
    const toy = await server((req, res) => (failures-- > 0 ? status(503)(req, res) : ok(req, res)));
    const response = await retrying(2)(query(toy.url));
    expect(response.status).toBe(200);
    expect(toy.requests).toBe(3);
  });

  it('gives up after its retries, answering the last response', async () => {
    const toy = await server(status(502));
    expect((await retrying(2)(query(toy.url))).status).toBe(502);
    expect(toy.requests).toBe(3);
  });

  it('never retries a mutation, nor an error other than 502/503/504', async () => {
    const toy = await server(status(503));
    expect((await retrying(2)(query(toy.url, 'mutation { wipe }'))).status).toBe(503);
    expect(toy.requests).toBe(1);
    toy.answer = status(500);
    expect((await retrying(2)(query(toy.url))).status).toBe(500);
    expect(toy.requests).toBe(2);
  });

  it('retries a query whose connection failed', async () => {
    const toy = await server();
    let refused = 1;
    const flaky = pool();
    const send = chainTraffic([retry({ retries: 2, budgetPercent: 100 }, silent)], (request) =>
      refused-- > 0 ? flaky.send({ ...request, url: 'http://127.0.0.1:1/graphql' }) : flaky.send(request),
    );
    expect((await send(query(toy.url))).status).toBe(200);
    expect(toy.requests).toBe(1);
    expect(refused).toBe(-1);
  });

  it('stops retrying when the budget is spent', async () => {
    const toy = await server(status(503));
    // A budget of 0 % leaves the minimum of 3 retries in the window: 2 for the first fetch, 1 for the second, none after.
    const send = retrying(2, 0);
    for (let i = 0; i < 3; i++) expect((await send(query(toy.url))).status).toBe(503);
    expect(toy.requests).toBe(3 + 2 + 1);
  });

  it('never retries past the request timeout', async () => {
    const toy = await server(() => {});
    const send = chainTraffic([timeout(() => 150), retry({ retries: 3, budgetPercent: 100 }, silent)], pool().send);
    await expect(send(query(toy.url))).rejects.toThrow();
    expect(toy.requests).toBe(1);
  });
});

describe('breaker', () => {
  it('opens after consecutive failures, fails fast, lets one probe through after the cool-down and closes on its success', async () => {
    const toy = await server(status(500));
    const circuits = breakers({ failures: 2, cooldownMs: 200 }, silent);
    const sent = chainTraffic([circuits.wrapper], pool().send);
    const send = async (request: Parameters<typeof sent>[0]) => {
      const response = await sent(request);
      await response.arrayBuffer();
      return response;
    };
    expect((await send(query(toy.url))).status).toBe(500);
    expect(circuits.states()).toEqual({ toy: 'closed' });
    expect((await send(query(toy.url))).status).toBe(500);
    expect(circuits.states()).toEqual({ toy: 'open' });
    await expect(send(query(toy.url))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(toy.requests).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 250));
    let release = () => {};
    toy.answer = (req, res) => (release = () => ok(req, res));
    const probe = send(query(toy.url));
    await expect.poll(() => toy.requests).toBe(3);
    expect(circuits.states()).toEqual({ toy: 'half-open' });
    // Only the probe goes through while it is out.
    await expect(send(query(toy.url))).rejects.toBeInstanceOf(CircuitOpenError);
    toy.answer = ok;
    release();
    expect((await probe).status).toBe(200);
    expect(circuits.states()).toEqual({ toy: 'closed' });
    expect((await send(query(toy.url))).status).toBe(200);
    expect(toy.requests).toBe(4);
  });

  it('reopens when the probe fails', async () => {
    const toy = await server(status(503));
    const circuits = breakers({ failures: 1, cooldownMs: 100 }, silent);
    const send = chainTraffic([circuits.wrapper], pool().send);
    await send(query(toy.url));
    expect(circuits.states()).toEqual({ toy: 'open' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await send(query(toy.url))).status).toBe(503);
    expect(circuits.states()).toEqual({ toy: 'open' });
    await expect(send(query(toy.url))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(toy.requests).toBe(2);
  });

  it('counts a connection failure as a failure', async () => {
    const circuits = breakers({ failures: 1, cooldownMs: 60_000 }, silent);
    const send = chainTraffic([circuits.wrapper], pool().send);
    await expect(send(query('http://127.0.0.1:1/graphql'))).rejects.toThrow('fetch failed');
    expect(circuits.states()).toEqual({ toy: 'open' });
  });
});

describe('dedup', () => {
  /** Holds every request until `count` have arrived or none more come, then answers each with the request number. */
  async function holding() {
    const toy = await server();
    const held: (() => void)[] = [];
    toy.answer = (_req, res) => {
      const n = toy.requests;
      held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { n } })));
    };
    return { toy, release: () => held.splice(0).forEach((answer) => answer()) };
  }

  it('sends identical queries of one caller once, each waiter reading its own body', async () => {
    const { toy, release } = await holding();
    const send = chainTraffic([dedup()], pool().send);
    const answers = [1, 2, 3].map(() => send(query(toy.url, '{ ok }', contextOf('ana'))));
    await expect.poll(() => toy.requests).toBe(1);
    release();
    const bodies = await Promise.all((await Promise.all(answers)).map((response) => response.json()));
    expect(bodies).toEqual([{ data: { n: 1 } }, { data: { n: 1 } }, { data: { n: 1 } }]);
    expect(toy.requests).toBe(1);
  });

  it('never shares between callers, and never shares mutations', async () => {
    const { toy, release } = await holding();
    const send = chainTraffic([dedup()], pool().send);
    const answers = [
      send(query(toy.url, '{ ok }', contextOf('ana'))),
      send(query(toy.url, '{ ok }', contextOf('luis'))),
      send(query(toy.url, '{ ok }', null)),
      send(query(toy.url, 'mutation { ok }', contextOf('ana'))),
      send(query(toy.url, 'mutation { ok }', contextOf('ana'))),
    ];
    await expect.poll(() => toy.requests).toBe(5);
    release();
    expect((await Promise.all(answers)).map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it("shares a signed-in caller's queries within one request only, anonymous ones across requests, unless fresh ones are asked for", async () => {
    const { toy, release } = await holding();
    const send = chainTraffic([dedup()], pool().send);
    const anonymous = (requestId: string) => ({ ...contextOf('nobody'), caller: null, requestId });
    const answers = [
      send(query(toy.url, '{ ok }', contextOf('ana'))),
      send(query(toy.url, '{ ok }', { ...contextOf('ana'), requestId: 'another-request' })),
      send(query(toy.url, '{ ok }', anonymous('first'))),
      send(query(toy.url, '{ ok }', anonymous('second'))),
      // Asking for a fresh answer: shared with nobody else.
      send(query(toy.url, '{ ok }', { ...anonymous('third'), fresh: true })),
    ];
    await expect.poll(() => toy.requests).toBe(4);
    release();
    expect((await Promise.all(answers)).map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(toy.requests).toBe(4);
  });

  it('sends again once the shared fetch has answered', async () => {
    const toy = await server();
    const send = chainTraffic([dedup()], pool().send);
    await (await send(query(toy.url, '{ ok }', contextOf('ana')))).json();
    await (await send(query(toy.url, '{ ok }', contextOf('ana')))).json();
    expect(toy.requests).toBe(2);
  });
});
