import { request, Agent } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, requestIdFrom, type Listening } from '../../lib/http.js';

/** An app that answers /fast at once, /slow after `?ms=` milliseconds, and /streamed in two parts 300 ms apart. */
function app(): express.Express {
  const answering = express();
  answering.get('/fast', (_req, res) => void res.send('fast'));
  answering.get('/slow', (req, res) => void setTimeout(() => res.send('slow'), Number(req.query.ms)));
  answering.get('/streamed', (_req, res) => {
    res.write('first ');
    setTimeout(() => res.end('second'), 300);
  });
  return answering;
}

/** A keep-alive GET, as a gateway or browser makes them: the connection stays open for the next request. */
function get(agent: Agent, url: string): Promise<{ body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, connection: response.headers.connection }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const started: { listening: Listening; agent: Agent }[] = [];

async function start() {
  const listening = await listen(app(), 0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true });
  started.push({ listening, agent });
  return { listening, agent };
}

afterEach(async () => {
  for (const { listening, agent } of started.splice(0)) {
    agent.destroy();
    await listening.close(0);
  }
});

async function timed(work: Promise<unknown>): Promise<number> {
  const start = Date.now();
  await work;
  return Date.now() - start;
}

describe('listen().close()', () => {
  it('is quick when the only connections are idle keep-alive ones', async () => {
    const { listening, agent } = await start();
    expect(await get(agent, `${listening.url}/fast`)).toEqual({ body: 'fast', connection: 'keep-alive' });
    expect(await timed(listening.close())).toBeLessThan(1000);
  });

  it('lets a request in flight finish, closes its connection behind it, and refuses new connections', async () => {
    const { listening, agent } = await start();
    await get(agent, `${listening.url}/fast`);
    const slow = get(agent, `${listening.url}/slow?ms=600`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = timed(listening.close());
    // The door closes once requests already sent have had their moment (250 ms) to be read.
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(get(new Agent(), `${listening.url}/fast`)).rejects.toThrow();
    expect(await slow).toEqual({ body: 'slow', connection: 'close' });
    // Well before the 5 s keep-alive timeout the drained connection would otherwise idle for.
    expect(await closing).toBeLessThan(1000);
  });

  it('also closes the connection of an answer whose headers were sent before close()', async () => {
    const { listening, agent } = await start();
    const streamed = get(agent, `${listening.url}/streamed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = timed(listening.close());
    expect(await streamed).toEqual({ body: 'first second', connection: 'keep-alive' });
    expect(await closing).toBeLessThan(1000);
  });

  it('cuts off what is still running after the drain period', async () => {
    const { listening, agent } = await start();
    // Settled at once: it fails while close() is still running, before anything could await it.
    const stuck = get(agent, `${listening.url}/slow?ms=3000`).then(() => 'answered', (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = await timed(listening.close(200));
    expect(await stuck).toBeInstanceOf(Error);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('requestIdFrom', () => {
  it('keeps a short, plain x-request-id and replaces anything else with a new UUID', () => {
    expect(requestIdFrom('req-42.a:b_c')).toBe('req-42.a:b_c');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const header of [undefined, '', 'no spaces or <tags>', 'line\nbreak', 'x'.repeat(129)]) expect(requestIdFrom(header)).toMatch(uuid);
  });
});
