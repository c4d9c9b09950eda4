import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { NoPlatformRunning, requestRestart, serveControl } from '../../scripts/control.js';
import { Supervisor, type ServiceSpec, type SupervisionPolicy } from '../../scripts/supervisor.js';

/** Quick enough for a test; `stableAfterMs` long, so that every crash here counts as a quick one. */
const QUICK: SupervisionPolicy = { firstBackoffMs: 20, maxBackoffMs: 1000, stableAfterMs: 60_000, maxFastCrashes: 3, stopGraceMs: 2000 };

function toy(name: string, script: string): ServiceSpec {
  return { name, command: process.execPath, args: ['-e', script] };
}

/** Runs until told to stop; prints a line at start, so that output is relayed. */
const STAYS_UP = "console.log('up'); setInterval(() => {}, 1000)";
const CRASHES = "console.error('boom'); process.exit(3)";

function watched(specs: ServiceSpec[], policy = QUICK) {
  const said: string[] = [];
  const relayed: string[] = [];
  const supervisor = new Supervisor(specs, { say: (line) => said.push(line), relay: (name, line) => relayed.push(`${name}: ${line}`) }, policy);
  running.push(supervisor);
  return { supervisor, said, relayed };
}

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop()));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Supervisor', () => {
  it('restarts a service that dies, while the other keeps running under the same pid', async () => {
    const { supervisor, said } = watched([toy('steady', STAYS_UP), toy('victim', STAYS_UP)]);
    const spawned = new Map<string, number[]>();
    supervisor.on('spawned', (name, pid) => spawned.set(name, [...(spawned.get(name) ?? []), pid]));
    supervisor.start();
    const steadyPid = supervisor.pidOf('steady')!;
    const victimPid = supervisor.pidOf('victim')!;
    process.kill(victimPid, 'SIGKILL');
    while ((spawned.get('victim') ?? []).length < 2) await once(supervisor, 'spawned');
    expect(spawned.get('victim')![1]).not.toBe(victimPid);
    expect(supervisor.pidOf('steady')).toBe(steadyPid);
    expect(isAlive(steadyPid)).toBe(true);
    expect(said.some((line) => line.includes('victim exited (signal SIGKILL)') && line.includes('restarting it in'))).toBe(true);
  });

  it('doubles the pause after each quick crash, then gives up and says so, the others still running', async () => {
    const { supervisor, said, relayed } = watched([toy('steady', STAYS_UP), toy('crasher', CRASHES)]);
    const delays: number[] = [];
    supervisor.on('backoff', (_name, delayMs) => delays.push(delayMs));
    supervisor.start();
    const [name, crashes] = await once(supervisor, 'gaveUp');
    expect(name).toBe('crasher');
    expect(crashes).toBe(4);
    expect(delays).toEqual([20, 40, 80]);
    expect(said.at(-1)).toMatch(/crasher exited \(code 3\) 4 times in a row.*leaving it stopped/);
    expect(relayed.filter((line) => line === 'crasher: boom')).toHaveLength(4);
    expect(supervisor.pidOf('crasher')).toBeUndefined();
    expect(isAlive(supervisor.pidOf('steady')!)).toBe(true);
  });

  it('caps the pause at maxBackoffMs', async () => {
    const { supervisor } = watched([toy('crasher', CRASHES)], { ...QUICK, firstBackoffMs: 10, maxBackoffMs: 25, maxFastCrashes: 4 });
    const delays: number[] = [];
    supervisor.on('backoff', (_name, delayMs) => delays.push(delayMs));
    supervisor.start();
    await once(supervisor, 'gaveUp');
    expect(delays).toEqual([10, 20, 25, 25]);
  });

  it('starts the backoff again after a process stayed up for stableAfterMs', async () => {
    // Up 150 ms before crashing, with "stable" at 100 ms: every crash is the first of its series.
    const { supervisor } = watched([toy('slow-crasher', 'setTimeout(() => process.exit(1), 150)')], { ...QUICK, stableAfterMs: 100 });
    const delays: number[] = [];
    supervisor.on('backoff', (_name, delayMs) => delays.push(delayMs));
    supervisor.start();
    while (delays.length < 3) await once(supervisor, 'backoff');
    expect(delays).toEqual([20, 20, 20]);
  });

  it('restarts a service on request at once, without counting it as a crash', async () => {
    const { supervisor, said } = watched([toy('svc', STAYS_UP)]);
    const backoffs: number[] = [];
    supervisor.on('backoff', (_name, delayMs) => backoffs.push(delayMs));
    supervisor.start();
    const before = supervisor.pidOf('svc')!;
    await supervisor.restart('svc');
    const after = supervisor.pidOf('svc')!;
    expect(after).not.toBe(before);
    expect(isAlive(before)).toBe(false);
    expect(isAlive(after)).toBe(true);
    expect(backoffs).toEqual([]);
    expect(said).toContain('[supervisor] svc stopped (signal SIGTERM); starting it again');
  });

  it('starts a service it gave up on when asked', async () => {
    const { supervisor } = watched([toy('crasher', CRASHES)], { ...QUICK, maxFastCrashes: 0 });
    supervisor.start();
    await once(supervisor, 'gaveUp');
    const respawned = once(supervisor, 'spawned');
    await supervisor.restart('crasher');
    expect((await respawned)[0]).toBe('crasher');
  });

  it('refuses an unknown service, naming the known ones', async () => {
    const { supervisor } = watched([toy('a', STAYS_UP), toy('b', STAYS_UP)]);
    await expect(supervisor.restart('c')).rejects.toThrow('There is no service "c"; the services are: a, b.');
  });

  it('stop() ends every service, kills one that ignores SIGTERM, and restarts none', async () => {
    const stubborn = "process.on('SIGTERM', () => {}); console.log('ignoring SIGTERM'); setInterval(() => {}, 1000)";
    const { supervisor, said, relayed } = watched([toy('a', STAYS_UP), toy('b', STAYS_UP), toy('stubborn', stubborn)], { ...QUICK, stopGraceMs: 300 });
    const spawnedAfterStart: string[] = [];
    supervisor.start();
    supervisor.on('spawned', (name) => spawnedAfterStart.push(name));
    const pids = supervisor.names.map((name) => supervisor.pidOf(name)!);
    // The stubborn child must have its handler before it is asked to stop.
    while (!relayed.includes('stubborn: ignoring SIGTERM')) await new Promise((resolve) => setTimeout(resolve, 20));
    await supervisor.stop();
    expect(pids.map(isAlive)).toEqual([false, false, false]);
    expect(spawnedAfterStart).toEqual([]);
    expect(said).toContain('[supervisor] stubborn stopped (signal SIGKILL)');
    expect(supervisor.names.map((name) => supervisor.pidOf(name))).toEqual([undefined, undefined, undefined]);
  });
});

describe('the control socket', () => {
  const folders: string[] = [];
  afterEach(async () => {
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });
  async function socketPath(): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'ventanilla-control-'));
    folders.push(folder);
    return join(folder, 'run', 'supervisor.sock');
  }

  it('restarts the named service and answers with its new pid; an unknown name lists the known ones', async () => {
    const path = await socketPath();
    const { supervisor } = watched([toy('svc', STAYS_UP)]);
    supervisor.start();
    const control = await serveControl(supervisor, path);
    try {
      const before = supervisor.pidOf('svc');
      const answer = await requestRestart(path, 'svc');
      expect(answer).toEqual({ ok: true, message: `svc restarted (pid ${supervisor.pidOf('svc')}).` });
      expect(supervisor.pidOf('svc')).not.toBe(before);
      expect(await requestRestart(path, 'nope')).toEqual({ ok: false, message: 'There is no service "nope"; the services are: svc.' });
      await expect(serveControl(supervisor, path)).rejects.toThrow('Another platform is already running');
    } finally {
      await control.close();
    }
  });

  it('says that no platform is running when nothing answers', async () => {
    await expect(requestRestart(await socketPath(), 'svc')).rejects.toBeInstanceOf(NoPlatformRunning);
  });
});
