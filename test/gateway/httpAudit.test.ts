import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../helpers/platform.js';

/**
 * The GraphQL over HTTP specification, as graphql-http's own server audit checks it, against the real
 * gateway over the real subgraphs: every MUST and every SHOULD holds.
 */
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe('graphql-http server audit', () => {
  it('passes every audit, with no warning', async () => {
    const audits = serverAudits({ url: () => platform.url });
    const outcomes = [];
    for (const audit of audits) outcomes.push(await audit.fn());
    const notOk = outcomes.filter((outcome) => outcome.status !== 'ok').map((outcome) => `${outcome.status} ${outcome.id} ${outcome.name}: ${'reason' in outcome ? outcome.reason : ''}`);
    expect(notOk).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(40);
  });
});

describe('CSRF prevention still holds for browsers', () => {
  const query = encodeURIComponent('{ __typename }');
  const crossSite = { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' };

  it.each([
    ['a GET a page of another site makes (an <img>, a link)', () => fetch(`${platform.url}?query=${query}`, { headers: crossSite })],
    [
      'a form POST of another site',
      () => fetch(platform.url, { method: 'POST', headers: { ...crossSite, 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) }),
    ],
    // A browser without Fetch Metadata still sends Origin on a cross-origin POST.
    ['a form POST with Origin only', () => fetch(platform.url, { method: 'POST', headers: { origin: crossSite.origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=x' })],
  ])('refuses %s with 400 BAD_REQUEST', async (_name, send) => {
    const response = await send();
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('answers the same GET from no page, or from the gateway\'s own', async () => {
    for (const headers of [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }] as Record<string, string>[]) {
      const response = await fetch(`${platform.url}?query=${query}`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });
});
