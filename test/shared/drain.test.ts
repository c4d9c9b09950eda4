import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = fileURLToPath(new URL('./fixtures/slowServer.ts', import.meta.url));
/** Each answer takes this long: at any moment, many requests are in flight. */
const ANSWER_MS = 200;
const WORKERS = 24;
/** Time enough for the child to take the signal: answers after it are the draining server's. */
const DRAIN_NOTICE_MS = 50;

interface Outcome {
  /** The request was fully written before SIGTERM was sent. */
  sentBeforeSignal: boolean;
  status?: number;
  body?: string;
  connection?: string;
  error?: string;
  /** performance.now() when its answer began to arrive. */
  answeredAt?: number;
}

/** One GET; resolves with what happened, never rejects: an error is an outcome to check. */
function get(url: string, agent: Agent | false, signalled: () => boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { sentBeforeSignal: false };
    // Apollo's CSRF prevention answers a GET only with a header a browser could not send cross-site.
    const req = request(url, { agent, headers: { 'apollo-require-preflight': 'true' } }, (response) => {
      outcome.answeredAt = performance.now();
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ ...outcome, status: response.statusCode, body, connection: response.headers.connection }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ ...outcome, status: response.statusCode, error: `mid-response: ${error.code ?? error.message}` }));
    });
    req.on('finish', () => (outcome.sentBeforeSignal = !signalled()));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ...outcome, error: error.code ?? error.message }));
    req.end();
  });
}

const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A child whose stdout is pino-style JSON lines or a bare URL; resolves once `readyUrl` finds its URL in a line. */
async function startServer(args: string[], env: NodeJS.ProcessEnv, readyUrl: (line: string) => string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const url = readyUrl(line);
    if (url) {
      // Keep reading, so that a full pipe never blocks the child.
      lines.on('line', () => {});
      return { child, url };
    }
  }
  throw new Error(`${args.join(' ')} exited before it was ready`);
}

/** The environment of a process run as in production: vitest's NODE_ENV=test changes what Apollo does on signals. */
function productionLike(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

interface Target {
  start(): Promise<{ child: ChildProcess; url: string }>;
  /** The path asked for the request numbered `n`. */
  path(n: number): string;
  /** An answer in full. */
  answered(outcome: Outcome): boolean;
  /** Answers slowly: when the signal comes, every worker has a request in flight. */
  slow: boolean;
}

const slowServer: Target = {
  start: () => startServer([SERVER], productionLike({}), (line) => (line.startsWith('http://') ? line.trim() : undefined)),
  path: (n) => `/slow?ms=${ANSWER_MS}&n=${n}`,
  answered: (outcome) => outcome.status === 200 && outcome.body?.startsWith('slow ') === true,
  slow: true,
};

const gatewayProcess: Target = {
  async start() {
    const folder = await mkdtemp(join(tmpdir(), 'ventanilla-drain-'));
    folders.push(folder);
    // Its load comes from one address, far above the anonymous rate limit: limits are not what this is about.
    const env = productionLike({ GATEWAY_PORT: '0', GATEWAY_KEYS_FILE: join(folder, 'keys.json'), SUPERGRAPH_WATCH: 'false', LOG_LEVEL: 'info', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
    return startServer(['gateway/main.ts'], env, (line) => {
      const entry = line.startsWith('{') ? (JSON.parse(line) as { msg?: string; url?: string }) : {};
      return entry.msg === 'gateway ready' ? entry.url : undefined;
    });
  },
  // A query the gateway answers itself: what is measured is its drain, not the subgraphs.
  path: (n) => `/graphql?query=${encodeURIComponent(`query Drain${n} { __typename }`)}`,
  answered: (outcome) => outcome.status === 200 && outcome.body === '{"data":{"__typename":"Query"}}\n',
  slow: false,
};

describe('SIGTERM under load', () => {
  it.each([
    ['lib/http with a slow handler', 'a new connection per request', slowServer, () => false as const],
    ['lib/http with a slow handler', 'keep-alive connections', slowServer, () => new Agent({ keepAlive: true, maxSockets: WORKERS })],
    ['a real gateway process', 'keep-alive connections', gatewayProcess, () => new Agent({ keepAlive: true, maxSockets: WORKERS })],
  ])('%s drops no request in flight (%s); later ones are refused cleanly', async (_server, _connections, target, makeAgent) => {
    const agent = makeAgent();
    const { child, url } = await target.start();
    let signalled = false;
    const exited = once(child, 'exit');
    let over = false;
    void exited.then(() => (over = true));
    const outcomes: Outcome[] = [];
    let n = 0;
    const worker = async () => {
      // Until the server is gone, and a little after: a request then must be refused, not hang.
      while (!over) outcomes.push(await get(url.replace(/\/graphql$/, '') + target.path(n++), agent, () => signalled));
      outcomes.push(await get(url.replace(/\/graphql$/, '') + target.path(n++), agent, () => signalled));
    };
    const workers = Array.from({ length: WORKERS }, worker);
    // Two rounds answered, then a little into the next: every worker has a request in flight, in
    // the phase the rounds really run at (connections take their time to open).
    while (outcomes.length < 2 * WORKERS) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, DRAIN_NOTICE_MS));
    signalled = true;
    const signalAt = performance.now();
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    await Promise.all(workers);
    if (agent) agent.destroy();

    // Its own drain ended it, not the signal's default action (nor a handler that re-raises it).
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const inFlight = outcomes.filter((outcome) => outcome.sentBeforeSignal);
    // Rounds answered before the signal, and a full round in flight when it came.
    expect(inFlight.length).toBeGreaterThanOrEqual(2 * WORKERS);
    const answered = target.answered;
    expect(inFlight.filter((outcome) => !answered(outcome))).toEqual([]);
    // After the signal: answered in full (sent on a connection the server was still draining), or
    // refused before any byte of an answer. Never cut off mid-response.
    const later = outcomes.filter((outcome) => !outcome.sentBeforeSignal);
    expect(later.length).toBeGreaterThanOrEqual(WORKERS);
    const refusedCleanly = (outcome: Outcome) => outcome.status === undefined && (outcome.error === 'ECONNREFUSED' || outcome.error === 'ECONNRESET');
    expect(later.filter((outcome) => !answered(outcome) && !refusedCleanly(outcome))).toEqual([]);
    expect(later.filter((outcome) => outcome.error === 'ECONNREFUSED').length).toBeGreaterThan(0);
    // The answers given while draining told their keep-alive clients to go elsewhere next time. An
    // answer that left within a moment of the signal may have left before the child took it: only
    // those well after it are judged, and most of the round in flight is.
    const whileDraining = inFlight.filter((outcome) => outcome.answeredAt !== undefined && outcome.answeredAt > signalAt + DRAIN_NOTICE_MS);
    if (agent && target.slow) {
      expect(whileDraining.length).toBeGreaterThanOrEqual(WORKERS / 2);
      expect(whileDraining.length).toBeLessThanOrEqual(WORKERS);
      expect(whileDraining.filter((outcome) => outcome.connection !== 'close')).toEqual([]);
    }
  }, 60_000);
});
