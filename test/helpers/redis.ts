import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

import { freePort } from './ports.js';

/** The machine's Redis, which every suite shares under a key prefix of its own. */
export const MACHINE_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other suite uses, and how to remove every key under it afterwards. */
export function redisPrefix(suite: string): { keyPrefix: string; cleanUp(): Promise<void> } {
  const keyPrefix = `test:${suite}:${randomUUID()}:`;
  return {
    keyPrefix,
    async cleanUp() {
      const redis = new Redis(MACHINE_REDIS_URL);
      try {
        const keys = await redis.keys(`${keyPrefix}*`);
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** A redis-server of the suite's own on `port`, with nothing on disk; resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections are expected until the server listens; connect() reports them.
  probe.on('error', () => {});
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await probe.connect().then(() => true, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  probe.disconnect();
  return child;
}

/** Kills a suite's redis-server and waits until it is gone. */
async function killRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * A redis-server of a suite's own, on a port picked once: killed, stalled and started again on the
 * same port, as a Redis that an operator restarts.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.startAgain();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startAgain(): Promise<void> {
    this.child = await startRedis(this.port);
  }

  /** SIGKILL, and waits until it is gone; safe to call again. */
  async kill(): Promise<void> {
    if (this.child) await killRedis(this.child);
  }

  /** SIGSTOP: still connected, answering nothing. */
  stall(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }
}
