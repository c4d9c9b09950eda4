import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIBERATE_CODES } from '../../lib/errors.js';
import { citizenToken } from '../helpers/graphql.js';
import { LUIS } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';

/**
 * A battery of bad requests through the gateway's door (test/integration/badInput.test.ts has the
 * named cases, each with its own code): whatever is sent, the answer is a 4xx (or, for a field
 * error, a 200) with a stable `extensions.code`, never a 5xx; the gateway keeps serving; and what
 * the battery made it hold is let go.
 */
let platform: Platform;
let luis: string;

beforeAll(async () => {
  platform = await startPlatform();
  luis = await citizenToken(LUIS);
});
afterAll(async () => {
  await platform?.close();
});

interface Bad {
  name: string;
  init: RequestInit & { url?: string };
}

const post = (name: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }): Bad => ({
  name,
  init: { method: 'POST', headers, body },
});
const json = (name: string, payload: unknown, headers: Record<string, string> = {}): Bad => post(name, JSON.stringify(payload), { 'content-type': 'application/json', ...headers });

const NUL = '\u0000';
const START = 'mutation ($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';

function battery(): Bad[] {
  const bad: Bad[] = [];
  const malformed = ['{', '}', '[', '{"query": "{ __typename }"', "{'query': '{ __typename }'}", '{"query": NaN}', '{"query": "{ __typename }"} trailing', 'null', 'true', '42',
    '"a string"', '{"query": "\\x41"}', '{"query": "{ __typename }",}', '{query: 1}', '\u0000', '{"query": "\\ud800"', '{"query"}', ':', '{"a":1 "b":2}', '{"query": undefined}'];
  malformed.forEach((body, index) => bad.push(post(`malformed JSON #${index}`, body)));
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/graphql', 'text/html', 'application/octet-stream', 'image/png', 'application/json; charset=latin1', 'application/json; charset=utf-16']) {
    bad.push(post(`content-type ${type}`, JSON.stringify({ query: '{ __typename }' }), { 'content-type': type }));
  }
  bad.push(post('no content-type', JSON.stringify({ query: '{ __typename }' }), {}));
  for (const megabytes of [1.1, 2, 5, 10]) {
    bad.push(json(`a body of ${megabytes} MB`, { query: `{ __typename }`, variables: { padding: 'x'.repeat(megabytes * 1024 * 1024) } }));
  }
  bad.push(json('a query of 900 kB', { query: `{ ${'__typename '.repeat(80_000)} }` }));
  for (let depth = 13; depth <= 60; depth += 3) {
    bad.push(json(`a query ${depth} levels deep`, { query: `{ ${'procedures(first: 1) { nodes { agency { procedures(first: 1) { '.repeat(Math.ceil(depth / 4))} __typename ${'} } } }'.repeat(Math.ceil(depth / 4))} }` }));
  }
  for (const width of [2_500, 5_000, 20_000]) bad.push(json(`a query ${width} fields wide`, { query: `{ ${'__typename '.repeat(width)} }` }));
  for (const aliases of [31, 50, 100, 500, 2_000]) {
    bad.push(json(`${aliases} aliases`, { query: `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: procedures(first: 100) { totalCount }`).join(' ')} }` }));
  }
  bad.push(json('an alias bomb through fragments', { query: `query { ...F } fragment F on Query { ${Array.from({ length: 40 }, (_, i) => `b${i}: procedures(first: 100) { nodes { slug } }`).join(' ')} }` }));
  const variables: [string, unknown][] = [['first', 'ten'], ['first', 1.5], ['first', 2 ** 40], ['first', true], ['first', {}], ['first', [1]], ['text', 5], ['text', { a: 1 }], ['text', ['a']], ['after', false]];
  for (const [name, value] of variables) {
    bad.push(json(`variable ${name} = ${JSON.stringify(value)}`, { query: 'query ($text: String, $first: Int, $after: String) { procedures(search: $text, first: $first, after: $after) { totalCount } }', variables: { [name]: value } }));
  }
  for (const value of ['not-an-object', 1, [], [1, 2], true]) bad.push(json(`variables = ${JSON.stringify(value)}`, { query: '{ __typename }', variables: value }));
  for (const value of [1, ['{ __typename }'], {}, null, true]) bad.push(json(`query = ${JSON.stringify(value)}`, { query: value }));
  bad.push(json('extensions that are not an object', { query: '{ __typename }', extensions: 'x' }));
  bad.push(json('operationName that is not a string', { query: '{ __typename }', operationName: 7 }));
  for (const bytes of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]) {
    const body = Buffer.concat([Buffer.from('{"query": "{ procedures(search: \\"'), Buffer.from(bytes), Buffer.from('\\") { totalCount } }"}')]);
    bad.push(post(`invalid UTF-8 ${Buffer.from(bytes).toString('hex')}`, body));
  }
  for (const [field, query] of [
    ['search', 'query ($v: String) { procedures(search: $v) { totalCount } }'],
    ['slug', 'query ($v: ID!) { procedure(slug: $v) { slug } }'],
  ] as const) {
    for (const value of [NUL, `renovar${NUL}`, `${NUL}dni`, 'a'.repeat(20) + NUL]) bad.push(json(`NUL in ${field} ${JSON.stringify(value)} (variable)`, { query, variables: { v: value } }));
    bad.push(json(`NUL in ${field} (inline)`, { query: query.replace('($v: String)', '').replace('($v: ID!)', '').replace('$v', '"x\\u0000y"') }));
  }
  for (const idempotencyKey of [`key-${NUL}-${process.pid}`, `${NUL}${'k'.repeat(20)}`]) {
    bad.push(json(`NUL in idempotencyKey ${JSON.stringify(idempotencyKey)}`, { query: START, variables: { input: { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey } } }, { authorization: `Bearer ${luis}` }));
  }
  for (const [name, persistedQuery] of [
    ['an APQ hash that is not the query\'s', { version: 1, sha256Hash: '0'.repeat(64) }],
    ['an APQ hash that is no hash', { version: 1, sha256Hash: 'not-a-hash' }],
    ['an APQ version that does not exist', { version: 2, sha256Hash: '0'.repeat(64) }],
  ] as const) {
    bad.push(json(name, { query: '{ __typename }', extensions: { persistedQuery } }));
  }
  for (const size of [0, 1, 2, 10]) bad.push(json(`a batch of ${size}`, Array.from({ length: size }, () => ({ query: '{ __typename }' }))));
  for (const query of ['subscription { __typename }', 'subscription S { __typename }', 'subscription { procedures { totalCount } }']) bad.push(json(query, { query }));
  bad.push({ name: 'a subscription over GET', init: { url: `?query=${encodeURIComponent('subscription { __typename }')}` } });
  bad.push({ name: 'a mutation over GET', init: { url: `?query=${encodeURIComponent(START)}` } });
  bad.push({ name: 'GET without a query', init: { url: '' } });
  bad.push({ name: 'GET with variables that are not JSON', init: { url: `?query=${encodeURIComponent('{ __typename }')}&variables=%7B` } });
  bad.push({ name: 'PUT', init: { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) } });
  bad.push({ name: 'DELETE', init: { method: 'DELETE' } });
  for (const query of ['{', '{ __typename', 'query query query', '{ procedures(first: ) { totalCount } }', '{ ... }', '"""', '#', '{ a: b: c }', '{ procedure(slug: "x" { slug } }', 'fragment F on Query { __typename }']) {
    bad.push(json(`unparseable or invalid ${JSON.stringify(query)}`, { query }));
  }
  for (const field of ['nope', 'procedure', 'procedures { nope }', '__schema', '_entities(representations: []) { __typename }', '_service { sdl }']) bad.push(json(`invalid field ${field}`, { query: `{ ${field} }` }));
  // Repeated, so that whatever one of them leaves behind would add up.
  return [...bad, ...bad].map((entry, index) => ({ ...entry, name: `#${index} ${entry.name}` }));
}

/** What one answer was: its status and codes, for the assertion message. */
async function send(entry: Bad): Promise<{ status: number; codes: unknown[]; body: string }> {
  const { url = '', ...init } = entry.init;
  const response = await fetch(`${platform.url}${url}`, init);
  const body = await response.text();
  let codes: unknown[] = [];
  try {
    codes = ((JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }).errors ?? []).map((error) => error.extensions?.code);
  } catch {
    codes = ['(not JSON)'];
  }
  return { status: response.status, codes, body: body.slice(0, 300) };
}

// The collector, reachable without starting the worker with --expose-gc: a heap measured right after a
// full collection holds only what is still referenced.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapUsed = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

describe('the bad-input battery', () => {
  it('answers every bad request with a 4xx and a stable code, and keeps serving', async () => {
    const requests = battery();
    expect(requests.length).toBeGreaterThanOrEqual(200);
    // Warmed up first, so that the baseline counts what any request leaves (caches, compiled code).
    for (const entry of requests.slice(0, requests.length / 2)) await send(entry);
    const baseline = heapUsed();

    const wrong: string[] = [];
    for (const entry of requests) {
      const { status, codes, body } = await send(entry);
      const stable = codes.length > 0 && codes.every((code) => typeof code === 'string' && DELIBERATE_CODES.has(code) && code !== 'SUBGRAPH_UNAVAILABLE');
      if (status < 400 || status >= 500 || !stable) wrong.push(`${entry.name}: HTTP ${status} ${JSON.stringify(codes)} ${body}`);
    }
    expect(wrong).toEqual([]);

    const alive = await fetch(platform.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ procedure(slug: "renovar-dni") { slug } }' }) });
    expect(await alive.json()).toEqual({ data: { procedure: { slug: 'renovar-dni' } } });
    // Twice the battery leaves the heap where the first half of it had: what one request holds is let go.
    expect(heapUsed() - baseline).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);

  it('wrote nothing for the NUL idempotency keys', async () => {
    const { rows } = await platform.subgraphs.portal.db.query("SELECT 1 FROM applications WHERE idempotency_key LIKE 'key-%'");
    expect(rows).toEqual([]);
  });
});
