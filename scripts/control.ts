/**
 * How `npm run restart -- <service>` reaches the running `npm start`: a unix socket under
 * `.data/run/`, one request line (`restart <name>`) and one JSON answer line. A socket (not a pid
 * file) lets the supervisor tell a restart it was asked for from a crash, and answer with the names it knows.
 */
import { mkdir, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownService, type Supervisor } from './supervisor.js';

/** Where `npm start` listens for requests. */
export const CONTROL_SOCKET = fileURLToPath(new URL('../.data/run/supervisor.sock', import.meta.url));

interface Answer {
  ok: boolean;
  message: string;
}

/** Nothing listens on the socket: no platform is running (or it was started from another folder). */
export class NoPlatformRunning extends Error {
  constructor(socketPath: string) {
    super(`No platform is running (nothing answers at ${socketPath}): start it with npm start.`);
  }
}

/** Answers restart requests for `supervisor` on `socketPath`; refuses to start when another platform answers there. */
export async function serveControl(supervisor: Supervisor, socketPath: string): Promise<{ close(): Promise<void> }> {
  await mkdir(dirname(socketPath), { recursive: true });
  if (await answers(socketPath)) throw new Error(`Another platform is already running (it answers at ${socketPath}): stop it first.`);
  // Left by a platform that did not get to remove it (killed): nothing answers, so it is stale.
  await rm(socketPath, { force: true });
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    let received = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end < 0) return;
      void handle(supervisor, received.slice(0, end).trim()).then((answer) => socket.end(JSON.stringify(answer) + '\n'));
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(supervisor: Supervisor, request: string): Promise<Answer> {
  const [verb, name] = request.split(/\s+/);
  if (verb !== 'restart' || !name) return { ok: false, message: `Unknown request "${request}"; expected "restart <service>".` };
  try {
    await supervisor.restart(name);
    return { ok: true, message: `${name} restarted (pid ${supervisor.pidOf(name) ?? 'unknown'}).` };
  } catch (error) {
    return { ok: false, message: error instanceof UnknownService ? error.message : `Could not restart ${name}: ${(error as Error).message}` };
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Asks the platform listening on `socketPath` to restart `name`; resolves with its answer. */
export function requestRestart(socketPath: string, name: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(`restart ${name}\n`));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(received) as Answer);
      } catch {
        reject(new Error(`The platform gave an answer that is not one: ${JSON.stringify(received)}`));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new NoPlatformRunning(socketPath) : error);
    });
  });
}
