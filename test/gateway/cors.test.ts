import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken } from '../helpers/graphql.js';
import { LUIS } from '../helpers/personas.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

const CHROMIUM = '/usr/bin/chromium';

/** A page server: what a front end of some origin is, for the browser. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>front end</title>'));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let people: ToySubgraph;
let gateway: RunningGateway;
let allowed: { origin: string; server: Server };
let other: { origin: string; server: Server };

beforeAll(async () => {
  [allowed, other] = await Promise.all([pageServer(), pageServer()]);
  people = await startToySubgraph('people');
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people]) }, { corsOrigins: [allowed.origin, 'http://localhost:*'] });
});
afterAll(async () => {
  await gateway?.close();
  await people?.close();
  await Promise.all([allowed, other].map((page) => page && new Promise((closed) => page.server.close(closed))));
});

const preflight = (origin: string, headers = 'content-type,authorization,x-purpose,x-request-id,apollo-require-preflight') =>
  fetch(gateway.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

describe('CORS on /graphql', () => {
  it.each([['an origin of the list', () => allowed.origin], ['any port of a host listed with :*', () => 'http://localhost:5173']])(
    'answers the preflight of %s with 204 and what it may send and read',
    async (_name, origin) => {
      const response = await preflight(origin());
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin());
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      expect(response.headers.get('access-control-allow-headers')!.split(',')).toEqual(
        expect.arrayContaining(['content-type', 'authorization', 'x-purpose', 'x-request-id', 'apollo-require-preflight']),
      );
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    },
  );

  it.each([['an origin not in the list', () => other.origin], ['a look-alike of a listed host', () => 'http://localhost.evil.example:80']])(
    'answers the preflight of %s with 204 and no Access-Control-Allow-Origin',
    async (_name, origin) => {
      const response = await preflight(origin());
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('lets an allowed page read the request id and the rate limit headers of the answer', async () => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { origin: allowed.origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(response.headers.get('access-control-expose-headers')!.split(',')).toEqual(expect.arrayContaining(['x-request-id', 'ratelimit', 'retry-after']));
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });
});

describe('in a real browser, from a page of another origin', () => {
  let browser: Browser;
  beforeAll(async () => {
    // Debian's chromium, never a downloaded browser: the machine has no internet.
    if (!existsSync(CHROMIUM)) throw new Error(`This test drives Debian's chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does).`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** What a front end's `fetch` of the gateway gives, from a page of `origin`: the answer, or the browser's refusal. */
  async function fetchFrom(origin: string, token: string): Promise<unknown> {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(
        async ({ url, token }) => {
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'cors test' },
              body: JSON.stringify({ query: '{ __typename }' }),
            });
            return { status: response.status, body: await response.json(), requestId: response.headers.get('x-request-id') };
          } catch (error) {
            return { refused: String(error) };
          }
        },
        { url: gateway.url, token },
      );
    } finally {
      await page.close();
    }
  }

  it('lets a page of a listed origin POST JSON with a bearer token and read the answer', async () => {
    const answer = await fetchFrom(allowed.origin, await citizenToken(LUIS));
    expect(answer).toEqual({ status: 200, body: { data: { __typename: 'Query' } }, requestId: expect.any(String) });
  });

  it('has the browser refuse the same call from a page of an origin not in the list', async () => {
    const answer = await fetchFrom(other.origin, await citizenToken(LUIS));
    expect(answer).toEqual({ refused: expect.stringContaining('Failed to fetch') });
  });
});
