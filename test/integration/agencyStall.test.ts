/**
 * The traffic chain against a real agency: the transport subgraph, started by its own main.ts in a
 * child process (its own PostgreSQL database, verifying assertions against the gateway's JWKS URL as
 * in production), is stalled with SIGSTOP, killed while stalled, and started again on the same port,
 * while citizens keep sending contract operations. Every answer is a 200 whose only errors name
 * transport, the other agencies' fields are the healthy answer's, no request outlives its timeout,
 * and transport's circuit opens while it is down and closes once it is back.
 * (test/gateway/traffic/outage.test.ts is the same proof over a toy subgraph.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { composeSupergraph, formatProblems } from '../../schema/compose.js';
import { remoteKeys } from '../../lib/keySources.js';
import { GATEWAY_KEY_CACHE, openServiceDatabase } from '../../subgraphs/shared/start.js';
import { SERVICES } from '../../subgraphs/services.js';
import { transportService } from '../../subgraphs/transport/createSubgraph.js';
import { citizenToken, type GraphQLResponse } from '../helpers/graphql.js';
import { JORGE, LUIS } from '../helpers/personas.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { freePort } from '../helpers/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
import { sendContractOperation } from './support.js';

const TIMEOUT_MS = 500;
/** Scheduling on a shared machine: a request may end this much past the timeout. */
const SLACK_MS = 700;
const CITIZENS = 10;
/** Per phase, so that a fast phase cannot use up the requests the later ones need. */
const PHASE_CAP = 400;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TRANSPORT_MAIN = fileURLToPath(new URL('../../subgraphs/transport/main.ts', import.meta.url));
/** The agencies whose facts the transport subgraph answers for, as WhatDoINeed's requirements name them. */
const TRANSPORT_AGENCIES = new Set(['MTC', 'SAT', 'SUNARP']);

const CASES = [
  { operation: 'MyRecords', variables: {}, dni: JORGE },
  { operation: 'WhatDoINeed', variables: { slug: 'revalidar-licencia-de-conducir' }, dni: LUIS },
] as const;
type Operation = (typeof CASES)[number]['operation'];

let inProcess: RunningSubgraph[] = [];
let transportDb: TestDatabase | undefined;
let transport: ChildProcess | undefined;
let transportPort = 0;
let gateway: RunningGateway | undefined;
const tokens = new Map<string, string>();
const healthy = new Map<Operation, unknown>();

/** Runs subgraphs/transport/main.ts as production does, resolving once it logs that it serves. */
function startTransport(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', TRANSPORT_MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TRANSPORT_PORT: String(transportPort),
      LISTEN_HOST: '127.0.0.1',
      TRANSPORT_DATABASE_URL: transportDb!.url,
      // Seeded by this suite with the in-process agencies' citizens: one seed, the same personas.
      SEED_ON_START: 'false',
      GATEWAY_JWKS_URL: `${gateway!.baseUrl}/.well-known/jwks.json`,
      LOG_LEVEL: 'info',
      DRAIN_GRACE_MS: '100',
    },
  });
  // Known at once, so that afterAll kills even a child that never got to serve.
  transport = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const failed = (code: number | null, signal: string | null) =>
      reject(new Error(`the transport subgraph exited (${code ?? signal}) before serving:\n${output.slice(-2000)}`));
    child.once('exit', failed);
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      if (!ready) output += chunk.toString();
    });
    // Read to the end: a full pipe would block the child, a stall this suite did not ask for.
    child.stdout!.on('data', (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      if (/subgraph ready/.test(output)) {
        ready = true;
        child.off('exit', failed);
        resolve(child);
      }
    });
  });
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  // The other agencies verify the gateway's assertions over HTTP too; its address is known once it listens.
  let gatewayBaseUrl: string | undefined;
  const gatewayKeys = remoteKeys(() => new URL(`${gatewayBaseUrl ?? 'http://127.0.0.1:1'}/.well-known/jwks.json`), GATEWAY_KEY_CACHE);
  const others = SERVICES.filter((service) => service.name !== 'transport');
  const started = await Promise.allSettled(others.map((service) => startSubgraph(service, { citizens: CITIZENS, gatewayKeys })));
  inProcess = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;

  transportDb = await createTestDatabase('transport');
  const db = await openServiceDatabase(transportService, { databaseUrl: transportDb.url });
  try {
    await transportService.seed(db, { citizens: CITIZENS, today: TEST_TODAY });
  } finally {
    await db.close();
  }

  transportPort = await freePort();
  const transportUrl = `http://127.0.0.1:${transportPort}/graphql`;
  const composition = composeSupergraph(
    SERVICES.map((service) => ({
      name: service.name,
      routingUrl: service.name === 'transport' ? transportUrl : inProcess.find((subgraph) => subgraph.name === service.name)!.url,
      typeDefs: service.typeDefs,
    })),
  );
  if (composition.errors) throw new Error(`The subgraphs do not compose:\n${formatProblems(composition.errors)}`);
  // The child needs the gateway's JWKS URL, the gateway needs the child's URL: the port is chosen first.
  gateway = await startGateway(
    { kind: 'sdl', sdl: composition.supergraphSdl },
    { waitForReady: false, subgraphTimeoutMs: TIMEOUT_MS, traffic: { breakerFailures: 3, breakerCooldownMs: 500 } },
  );
  gatewayBaseUrl = gateway.baseUrl;
  await gateway.gateway.ready;
  transport = await startTransport();

  for (const { dni } of CASES) tokens.set(dni, await citizenToken(dni));
  for (const testCase of CASES) {
    const response = await send(testCase);
    expect(response.status).toBe(200);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    healthy.set(testCase.operation, response.data);
  }
}, 60_000);

afterAll(async () => {
  // Each step on its own: a failure in one must not leave the next running.
  const steps = [() => kill(transport), () => gateway?.close(), ...inProcess.map((subgraph) => () => subgraph.close()), () => transportDb?.drop()];
  for (const step of steps) await Promise.resolve().then(step).catch((error: unknown) => console.error('agencyStall cleanup:', error));
}, 60_000);

function send({ operation, variables, dni }: (typeof CASES)[number]): Promise<GraphQLResponse> {
  return sendContractOperation(gateway!.url, operation, variables, tokens.get(dni));
}

type Requirement = { code: string; status: string; detail: string | null; agency: { code: string } };

/** What of an answer the agencies other than transport give: equal to the healthy one's, whatever transport does. */
function othersPart(operation: Operation, data: any): unknown {
  if (operation === 'MyRecords') {
    const { drivingLicence: _licence, trafficFines: _fines, vehicles: _vehicles, ...rest } = data.me;
    return rest;
  }
  const { requirements, ...procedure } = data.procedure;
  return {
    ...procedure,
    // Portal decides each requirement, but on transport's facts for MTC's, SAT's and SUNARP's.
    requirements: requirements.map(({ status, detail, ...requirement }: Requirement) =>
      TRANSPORT_AGENCIES.has(requirement.agency.code) ? requirement : { ...requirement, status, detail },
    ),
  };
}

/** What transport's absence leaves: its fields null, the requirements on its facts UNKNOWN. */
function expectTransportMissing(operation: Operation, data: any): void {
  if (operation === 'MyRecords') {
    expect(data.me).toMatchObject({ drivingLicence: null, trafficFines: null, vehicles: null });
    return;
  }
  for (const requirement of data.procedure.requirements as Requirement[]) {
    if (TRANSPORT_AGENCIES.has(requirement.agency.code)) expect(requirement.status, requirement.code).toBe('UNKNOWN');
  }
}

const PHASES = ['healthy', 'stalled', 'killed', 'restarted', 'recovered'] as const;
type Phase = (typeof PHASES)[number];

interface Outcome {
  /** The phase when it was sent. */
  phase: Phase;
  operation: Operation;
  startedAt: number;
  ms: number;
  status: number;
  data: unknown;
  errors: NonNullable<GraphQLResponse['errors']>;
}

interface Figures {
  sent: number;
  /** Healthy only: sent before the SIGSTOP, answered after it. */
  inFlightAtStall?: number;
  withErrors: number;
  slowestMs: number;
}

let phase: Phase = 'healthy';
/** When SIGSTOP was sent: a healthy request still in flight then is stalled like the rest. */
let stalledAt = Infinity;

/** 4 loops over the cases until `until` settles, each phase at most PHASE_CAP requests. */
async function stream(outcomes: Outcome[], until: Promise<unknown>): Promise<void> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => {});
  const sent = new Map<Phase, number>();
  await Promise.all([0, 1, 2, 3].map(async (loop) => {
    for (let i = loop; !done; i++) {
      const sentIn = phase;
      if ((sent.get(sentIn) ?? 0) >= PHASE_CAP) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      sent.set(sentIn, (sent.get(sentIn) ?? 0) + 1);
      const testCase = CASES[i % CASES.length]!;
      const started = performance.now();
      const response = await send(testCase);
      outcomes.push({ phase: sentIn, operation: testCase.operation, startedAt: started, ms: performance.now() - started, status: response.status, data: response.data, errors: response.errors ?? [] });
    }
  }));
}

async function circuit(): Promise<string> {
  const body = (await (await fetch(`${gateway!.baseUrl}/health`)).json()) as { circuits?: Record<string, string> };
  return body.circuits?.transport ?? 'unknown';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('keeps serving through a stalled then killed transport subgraph, failing only its fields, and recovers', async () => {
  const outcomes: Outcome[] = [];
  const states: string[] = [];
  const outage = (async () => {
    await pause(1000);
    phase = 'stalled';
    stalledAt = performance.now();
    transport!.kill('SIGSTOP');
    await vi.waitFor(async () => {
      states.push(await circuit());
      expect(states.at(-1)).toBe('open');
    }, { timeout: 15_000, interval: 100 });
    await pause(500);
    phase = 'killed';
    await kill(transport);
    await pause(1000);
    phase = 'restarted';
    transport = await startTransport();
    await vi.waitFor(async () => {
      states.push(await circuit());
      expect(states.at(-1)).toBe('closed');
    }, { timeout: 15_000, interval: 100 });
    phase = 'recovered';
    await pause(1000);
  })();
  await stream(outcomes, outage);
  await outage;

  const figures = Object.fromEntries(PHASES.map((name): [Phase, Figures] => {
    const mine = outcomes.filter((outcome) => outcome.phase === name);
    const caught = mine.filter((outcome) => outcome.startedAt + outcome.ms >= stalledAt && outcome.startedAt < stalledAt);
    return [name, { sent: mine.length, ...(name === 'healthy' ? { inFlightAtStall: caught.length } : {}), withErrors: mine.filter((outcome) => outcome.errors.length > 0).length, slowestMs: Math.round(Math.max(0, ...mine.map((outcome) => outcome.ms))) }];
  })) as Record<Phase, Figures>;
  console.log(`agencyStall: timeout ${TIMEOUT_MS} ms, bound ${TIMEOUT_MS + SLACK_MS} ms, circuit ${states.filter((state, index) => state !== states[index - 1]).join('→')}; per phase ${JSON.stringify(figures)}`);

  for (const outcome of outcomes) {
    const where = `${outcome.operation} while ${outcome.phase}: ${JSON.stringify(outcome.errors)}`;
    expect(outcome.status, where).toBe(200);
    expect(outcome.ms, where).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const reference = healthy.get(outcome.operation);
    if (outcome.errors.length === 0) {
      expect(outcome.data, where).toEqual(reference);
      continue;
    }
    for (const error of outcome.errors) expect(error.extensions, where).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' });
    expect(othersPart(outcome.operation, outcome.data), where).toEqual(othersPart(outcome.operation, reference));
    expectTransportMissing(outcome.operation, outcome.data);
  }
  for (const name of PHASES) expect(figures[name].sent, name).toBeGreaterThan(0);
  const beforeStall = outcomes.filter((outcome) => outcome.phase === 'healthy' && outcome.startedAt + outcome.ms < stalledAt);
  expect(beforeStall.length).toBeGreaterThan(0);
  expect(beforeStall.filter((outcome) => outcome.errors.length > 0)).toEqual([]);
  expect(figures.stalled.withErrors).toBeGreaterThan(0);
  expect(figures.killed.withErrors).toBe(figures.killed.sent);
  expect(figures.recovered.withErrors).toBe(0);
  expect(states).toContain('open');
  for (const testCase of CASES) expect((await send(testCase)).data).toEqual(healthy.get(testCase.operation));
}, 60_000);
