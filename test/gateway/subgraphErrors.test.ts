import { createServer, type Server } from 'node:http';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRaw } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { capturingLogger, toySupergraph } from './toys.js';

/**
 * A subgraph that is not one of ours (the gateway serves any supergraph) may answer errors without
 * `extensions.code`. Apollo's gateway would call them DOWNSTREAM_SERVICE_ERROR, which the platform's
 * masking turns into an INTERNAL_SERVER_ERROR that no longer names the subgraph.
 */
const TYPE_DEFS = parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { fragile: String sturdy: String! }`);

let bare: Server;
let gateway: RunningGateway;
const log = capturingLogger();

beforeAll(async () => {
  bare = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const query = String((JSON.parse(body) as { query?: unknown }).query);
      const answer = query.includes('fragile')
        ? { data: { fragile: null, sturdy: 'sturdy' }, errors: [{ message: 'pool exhausted at db.internal:5432', path: ['fragile'] }] }
        : { data: { __typename: 'Query', sturdy: 'sturdy' } };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const address = bare.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const subgraph = { name: 'bare', url: `http://127.0.0.1:${address.port}/graphql`, typeDefs: TYPE_DEFS };
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([{ ...subgraph, requests: () => 0, queries: () => [], close: async () => {} }]) }, { logger: log.logger });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => bare?.close(resolve));
});

describe('an error a subgraph answers without a code', () => {
  it('reaches the client as SUBGRAPH_ERROR naming the subgraph, its message logged, not shown; the rest stands', async () => {
    const response = await postRaw(gateway.url, JSON.stringify({ query: '{ fragile sturdy }' }), { 'x-request-id': 'req-bare-1' });
    expect(response.data).toEqual({ fragile: null, sturdy: 'sturdy' });
    expect(response.errors).toEqual([
      { message: 'The bare subgraph could not answer this part.', path: ['fragile'], extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'bare' } },
    ]);
    const logged = log.lines.find((line) => line.msg === 'subgraph answered an error without a deliberate code' && line.requestId === 'req-bare-1');
    expect(JSON.stringify(logged)).toContain('db.internal:5432');
  });
});
