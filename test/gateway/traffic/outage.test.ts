/**
 * The traffic chain's proof in miniature: a toy subgraph in its own process, light enough for many
 * requests, is stalled with SIGSTOP and then killed while requests keep coming. Only its fields fail,
 * no request outlives its timeout, its circuit opens, and it closes again once the subgraph is back.
 * test/integration/agencyStall.test.ts is the same proof against the real transport subgraph.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { graphql } from '../../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../../helpers/platform.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from '../toys.js';

const TIMEOUT_MS = 300;
/** Scheduling on a shared machine: a request may end this much past the timeout. */
const SLACK_MS = 700;
const CHILD = fileURLToPath(new URL('./toyChild.ts', import.meta.url));

let people: ToySubgraph;
let pets: ChildProcess;
let petsUrl: string;
let gateway: RunningGateway;

function startPets(port = 0): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'pets', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the pets toy exited with ${code}`)));
    child.stdout!.once('data', (chunk: Buffer) => resolve({ child, url: chunk.toString().trim() }));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  people = await startToySubgraph('people');
  // Composed with an in-process pets for its SDL; the gateway is routed to the child instead.
  const shape = await startToySubgraph('pets');
  const sdl = toySupergraph([people, shape]);
  await shape.close();
  ({ child: pets, url: petsUrl } = await startPets());
  gateway = await startGateway(
    { kind: 'sdl', sdl },
    { subgraphUrls: { pets: petsUrl }, subgraphTimeoutMs: TIMEOUT_MS, traffic: { breakerFailures: 3, breakerCooldownMs: 500 } },
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  if (pets) await kill(pets);
  await people?.close();
});

interface Outcome {
  ms: number;
  status: number;
  people: unknown;
  errors: { extensions?: Record<string, unknown> }[];
}

async function ask(): Promise<Outcome> {
  const started = performance.now();
  const response = await graphql(gateway.url, '{ people { name pets } }');
  return { ms: performance.now() - started, status: response.status, people: response.data?.people?.map((person: { name: string }) => person.name), errors: response.errors ?? [] };
}

/** Requests, 4 at a time, until `until` resolves; at most 2000. */
async function stream(outcomes: Outcome[], until: Promise<unknown>): Promise<void> {
  let done = false;
  void until.finally(() => (done = true));
  await Promise.all([1, 2, 3, 4].map(async () => {
    while (!done && outcomes.length < 2000) outcomes.push(await ask());
  }));
}

async function circuit(): Promise<string> {
  const body = (await (await fetch(`${gateway.baseUrl}/health`)).json()) as { circuits?: Record<string, string> };
  return body.circuits?.pets ?? 'unknown';
}

it('keeps serving through a stalled then killed subgraph, failing only its fields, and recovers', async () => {
  const outcomes: Outcome[] = [];
  const states: string[] = [];
  const outage = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    pets.kill('SIGSTOP');
    await vi.waitFor(async () => {
      states.push(await circuit());
      expect(states.at(-1)).toBe('open');
    }, { timeout: 10_000, interval: 100 });
    await kill(pets);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ({ child: pets } = await startPets(Number(new URL(petsUrl).port)));
    await vi.waitFor(async () => {
      states.push(await circuit());
      expect(states.at(-1)).toBe('closed');
    }, { timeout: 10_000, interval: 200 });
  })();
  await stream(outcomes, outage);
  await outage;

  expect(outcomes.length).toBeGreaterThan(20);
  for (const outcome of outcomes) {
    expect(outcome.status).toBe(200);
    expect(outcome.people).toEqual(['Ana', 'Luis']);
    for (const error of outcome.errors) expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'pets' });
    expect(outcome.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  }
  expect(outcomes.filter((outcome) => outcome.errors.length > 0).length).toBeGreaterThan(0);
  expect(states).toContain('open');
  expect(await ask()).toMatchObject({ errors: [] });
}, 60_000);
