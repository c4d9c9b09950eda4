/**
 * Keeps a set of child processes running, as `npm start` needs: a service that dies is started again
 * after a pause that doubles with each quick crash, the others keep serving, and only `stop()` ends
 * them all. Everything it decides is said in a plain line, whatever the children's log level.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

/** One process to keep running. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** How hard the supervisor tries. */
export interface SupervisionPolicy {
  /** The pause before the first restart after a crash; it doubles with each quick crash in a row. Default 500 ms. */
  firstBackoffMs: number;
  /** The longest pause between restarts. Default 30 s. */
  maxBackoffMs: number;
  /** A process up this long was healthy: its next crash starts the backoff from the beginning again. Default 30 s. */
  stableAfterMs: number;
  /** Quick crashes in a row after which the service is left stopped (a restart on request still starts it). Default 5. */
  maxFastCrashes: number;
  /** How long a process asked to stop (SIGTERM) may take, draining, before it is killed (SIGKILL). Default 10 s. */
  stopGraceMs: number;
}

export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  firstBackoffMs: 500,
  maxBackoffMs: 30_000,
  stableAfterMs: 30_000,
  maxFastCrashes: 5,
  stopGraceMs: 10_000,
};

/** Where the supervisor's lines and the children's output go. */
export interface SupervisorOutput {
  /** The supervisor's own decisions: always shown. */
  say(line: string): void;
  /** One line a child printed, on stdout or stderr. */
  relay(name: string, line: string): void;
}

/** What happened, for whoever watches (tests, the control socket). */
export interface SupervisorEvents {
  spawned: [name: string, pid: number];
  exited: [name: string, code: number | null, signal: NodeJS.Signals | null];
  backoff: [name: string, delayMs: number];
  gaveUp: [name: string, crashes: number];
}

export class UnknownService extends Error {
  constructor(
    readonly service: string,
    readonly known: string[],
  ) {
    super(`There is no service "${service}"; the services are: ${known.join(', ')}.`);
  }
}

type Phase = 'running' | 'waiting' | 'given up' | 'stopped';

interface Supervised {
  spec: ServiceSpec;
  phase: Phase;
  child?: ChildProcess;
  startedAt: number;
  fastCrashes: number;
  timer?: NodeJS.Timeout;
  /** Set while a restart on request is under way: the exit it causes is no crash. */
  restartRequested: boolean;
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly services = new Map<string, Supervised>();
  private stopping = false;

  constructor(
    specs: ServiceSpec[],
    private readonly output: SupervisorOutput,
    private readonly policy: SupervisionPolicy = DEFAULT_SUPERVISION,
  ) {
    super();
    for (const spec of specs) this.services.set(spec.name, { spec, phase: 'stopped', startedAt: 0, fastCrashes: 0, restartRequested: false });
  }

  get names(): string[] {
    return [...this.services.keys()];
  }

  /** The pid of a running service, if it is running. */
  pidOf(name: string): number | undefined {
    const service = this.services.get(name);
    return service?.phase === 'running' ? service.child?.pid : undefined;
  }

  start(): void {
    for (const service of this.services.values()) this.spawn(service);
  }

  /**
   * Stops `name` (SIGTERM, so it drains) and starts it again at once, without backoff: it was asked
   * for. A service waiting for its next attempt, or given up on, starts now. Resolves once the new
   * process is spawned.
   */
  async restart(name: string): Promise<void> {
    const service = this.services.get(name);
    if (!service) throw new UnknownService(name, this.names);
    if (this.stopping) throw new Error('The platform is stopping.');
    clearTimeout(service.timer);
    service.fastCrashes = 0;
    if (service.phase === 'running' && service.child) {
      service.restartRequested = true;
      this.output.say(`[supervisor] restarting ${name} on request`);
      await this.terminate(service.child);
    } else {
      this.output.say(`[supervisor] starting ${name} on request`);
      this.spawn(service);
    }
  }

  /** Stops every service (SIGTERM, then SIGKILL after the grace) and restarts none of them again. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const running: ChildProcess[] = [];
    for (const service of this.services.values()) {
      clearTimeout(service.timer);
      if (service.phase === 'running' && service.child) running.push(service.child);
      else service.phase = 'stopped';
    }
    await Promise.all(running.map((child) => this.terminate(child)));
  }

  private spawn(service: Supervised): void {
    const { name, command, args, cwd, env } = service.spec;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    service.child = child;
    service.phase = 'running';
    service.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.output.relay(name, line));
    }
    // A command that cannot be spawned at all closes too ('close' follows 'error', code -2 for ENOENT);
    // what it said is the only hint the operator gets.
    child.once('error', (error) => this.output.say(`[supervisor] ${name} could not be started: ${error.message}`));
    child.once('close', (code, signal) => this.onExit(service, child, code, signal));
    if (child.pid !== undefined) this.emit('spawned', name, child.pid);
  }

  private onExit(service: Supervised, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (service.child !== child) return;
    const { name } = service.spec;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.emit('exited', name, code, signal);
    if (this.stopping) {
      service.phase = 'stopped';
      this.output.say(`[supervisor] ${name} stopped (${how})`);
      return;
    }
    if (service.restartRequested) {
      service.restartRequested = false;
      this.output.say(`[supervisor] ${name} stopped (${how}); starting it again`);
      this.spawn(service);
      return;
    }
    const upMs = Date.now() - service.startedAt;
    if (upMs >= this.policy.stableAfterMs) service.fastCrashes = 0;
    service.fastCrashes += 1;
    if (service.fastCrashes > this.policy.maxFastCrashes) {
      service.phase = 'given up';
      this.output.say(
        `[supervisor] ${name} exited (${how}) ${service.fastCrashes} times in a row, each within ${this.policy.stableAfterMs / 1000} s of starting: ` +
          `leaving it stopped; the other services keep serving (npm run restart -- ${name} to try again)`,
      );
      this.emit('gaveUp', name, service.fastCrashes);
      return;
    }
    const delayMs = Math.min(this.policy.maxBackoffMs, this.policy.firstBackoffMs * 2 ** (service.fastCrashes - 1));
    service.phase = 'waiting';
    this.output.say(
      `[supervisor] ${name} exited (${how}) after ${(upMs / 1000).toFixed(1)} s; restarting it in ${(delayMs / 1000).toFixed(1)} s ` +
        `(attempt ${service.fastCrashes} of ${this.policy.maxFastCrashes}); the other services keep serving`,
    );
    this.emit('backoff', name, delayMs);
    service.timer = setTimeout(() => this.spawn(service), delayMs);
  }

  /** SIGTERM, then SIGKILL once the grace is over; resolves when the process is gone. */
  private terminate(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), this.policy.stopGraceMs);
      child.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
