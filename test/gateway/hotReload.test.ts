import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { capturingLogger, startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

let folder: string;
let file: string;
let people: ToySubgraph;
let pets: ToySubgraph;
let gateway: RunningGateway;
const log = capturingLogger();

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ventanilla-reload-'));
  file = join(folder, 'supergraph.graphql');
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  await writeFile(file, toySupergraph([people]));
  gateway = await startGateway({ kind: 'file', path: file, watch: true }, { logger: log.logger });
});

afterAll(async () => {
  await gateway?.close();
  await people?.close();
  await pets?.close();
  await rm(folder, { recursive: true, force: true });
});

/** Waits until the gateway has refused one more supergraph than `before`. */
async function refusals(before: number) {
  await vi.waitFor(() => expect(refusedCount()).toBe(before + 1), { timeout: 5000, interval: 50 });
}
const refusedCount = () => log.lines.filter((line) => String(line.msg).startsWith('kept the previous supergraph')).length;

describe('hot reload of the supergraph file', () => {
  it('serves the file it started with', async () => {
    expect((await graphql(gateway.url, '{ people { name } }')).data).toEqual({ people: [{ name: 'Ana' }, { name: 'Luis' }] });
    expect(errorCodes(await graphql(gateway.url, '{ petCount }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('serves a new supergraph written to the file', async () => {
    await writeFile(file, toySupergraph([people, pets]));
    await vi.waitFor(async () => expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 }), {
      timeout: 5000,
      interval: 100,
    });
  });

  it('keeps the old schema when the new file is not a supergraph', async () => {
    const before = refusedCount();
    await writeFile(file, 'type Query { this is not a supergraph');
    await refusals(before);
    expect((await graphql(gateway.url, '{ petCount people { pets } }')).data).toEqual({
      petCount: 3,
      people: [{ pets: ['Michi', 'Firulais'] }, { pets: ['Boby'] }],
    });
  });

  it('keeps the old schema when a subgraph of the new one does not answer', async () => {
    const before = refusedCount();
    const deadPets = { ...pets, url: 'http://127.0.0.1:9/graphql' };
    await writeFile(file, toySupergraph([people, deadPets]));
    await refusals(before);
    expect(String(log.lines.at(-1)?.msg)).toContain('health check failed');
    expect((await graphql(gateway.url, '{ people { pets } }')).data).toEqual({ people: [{ pets: ['Michi', 'Firulais'] }, { pets: ['Boby'] }] });
  });
});
