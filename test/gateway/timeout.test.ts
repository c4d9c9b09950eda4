import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphql } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

let people: ToySubgraph;
let pets: ToySubgraph;
let hung: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  // Accepts the connection and the request, then never answers: a subgraph stuck, not dead.
  hung = createServer(() => {});
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/graphql`;
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { subgraphUrls: { pets: hungUrl }, subgraphTimeoutMs: 300 });
});

afterAll(async () => {
  await gateway?.close();
  hung?.closeAllConnections();
  await new Promise((resolve) => hung?.close(resolve));
  await people?.close();
  await pets?.close();
});

it('treats a subgraph that does not answer in time as unavailable, keeping the rest of the answer', async () => {
  const response = await graphql(gateway.url, '{ people { name pets } }');
  expect(response.status).toBe(200);
  expect(response.data).toEqual({ people: [{ name: 'Ana', pets: null }, { name: 'Luis', pets: null }] });
  expect(response.errors).toEqual([
    expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'pets' } }),
  ]);
});
