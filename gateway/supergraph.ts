import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import type { Logger } from '../lib/logger.js';
import { supergraphChannel, type SharedStore } from '../lib/redis.js';

/** Where the gateway's supergraph comes from. */
export type SupergraphSource =
  /** A supergraph SDL held in memory (tests, the platform harness): served as is, never reloaded. */
  | { kind: 'sdl'; sdl: string }
  /**
   * A supergraph file (`npm run compose` writes one). With `watch`, each valid version written to it
   * is served; one that fails (unparsable, invalid, or naming subgraphs that do not answer) is
   * logged and the previous one kept. Without `watch`, it is read once.
   */
  | { kind: 'file'; path: string; watch: boolean }
  /**
   * A schema registry at `url`: `GET <url>/supergraph` (`{ id, version, sdl }`, or 503 while it has
   * none) at start, asked again every `pollMs` until it answers one; then every `pollMs`, and at once
   * on each notice on the Redis channel `<REDIS_KEY_PREFIX>supergraph`. Only a version greater than
   * the one served is served, once its subgraphs answer; one refused is logged and told by /health.
   */
  | { kind: 'registry'; url: string; pollMs: number };

/** What /health tells of the supergraph served, for a source that numbers its versions. */
export interface SupergraphReport {
  source: 'registry';
  version: number;
  id: string;
  /**
   * The last time the previous schema was kept: a version refused (`version`), or the registry not
   * read (no `version`); `at` is an ISO date.
   */
  lastRefusal?: { version?: number; reason: string; at: string };
}

/** A supergraph manager for `new ApolloGateway({ supergraphSdl })`, plus a way to give up waiting for a first schema. */
export interface SupergraphProvider extends SupergraphManager {
  /** Stops watching; a gateway still waiting for its first supergraph fails to load. */
  stop(): void;
  /** For /health; undefined for a source without versions, or while no schema is served. */
  report(): SupergraphReport | undefined;
}

/** The shared store, whose pub/sub brings the registry's notices, and the prefix of its channels. */
export interface SupergraphNotices {
  store: Pick<SharedStore, 'subscribe'>;
  keyPrefix: string;
}

/** How long a burst of file events (an editor or `compose` writing) settles before the file is read. */
const SETTLE_MS = 100;

export function supergraphProvider(source: SupergraphSource, logger: Logger, notices: SupergraphNotices): SupergraphProvider {
  if (source.kind === 'sdl') {
    return { initialize: async () => ({ supergraphSdl: source.sdl }), stop() {}, report: () => undefined };
  }
  if (source.kind === 'registry') return new RegistrySupergraphSource(source, logger, notices);
  if (!source.watch) {
    return { initialize: async () => ({ supergraphSdl: await readSupergraphFile(source.path) }), stop() {}, report: () => undefined };
  }
  return new WatchedSupergraphFile(source.path, logger);
}

async function readSupergraphFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`The supergraph file ${path} does not exist: run \`npm run compose\` to write it.`);
    }
    throw error;
  }
}

type WatchPhase =
  | { phase: 'initialized' }
  /** The file does not exist yet (a compose step may still be writing it): the first schema waits for it. */
  | { phase: 'waiting for file'; watcher: FSWatcher; found(sdl: string): void; abandon(reason: Error): void }
  | { phase: 'watching'; watcher: FSWatcher; servedSdl: string }
  | { phase: 'stopped' };

/**
 * A supergraph file, hot reloaded through the gateway's documented `supergraphSdl` hook: on each
 * change, `healthCheck(newSdl)` then `update(newSdl)`; when either throws, the old schema stays.
 */
class WatchedSupergraphFile implements SupergraphProvider {
  private state: WatchPhase = { phase: 'initialized' };
  /** Reloads run one after another, so that two quick writes can never be applied out of order. */
  private reloads: Promise<void> = Promise.resolve();
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  async initialize({ update, healthCheck }: Parameters<SupergraphManager['initialize']>[0]) {
    // Watch the folder, not the file: editors and `compose` may replace the file, which ends a file watch.
    const watcher = watch(dirname(this.path), (_event, name) => {
      if (name === basename(this.path)) this.onFileEvent(update, healthCheck);
    });
    watcher.on('error', (error) => this.logger.error({ err: error, path: this.path }, 'supergraph watch failed: no more hot reloads'));

    const sdl = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      return '';
    });
    // The watcher is open before the read, so a file written in between is not missed.
    const firstSdl = sdl.trim() ? sdl : await this.waitForFile(watcher);
    if (this.state.phase === 'stopped') throw new Error('The gateway stopped before a supergraph was loaded.');
    this.state = { phase: 'watching', watcher, servedSdl: firstSdl };
    this.logger.info({ path: this.path }, 'supergraph loaded; watching it for changes');
    return { supergraphSdl: firstSdl, cleanup: async () => this.stop() };
  }

  private waitForFile(watcher: FSWatcher): Promise<string> {
    this.logger.warn({ path: this.path }, 'supergraph file missing or empty: waiting for it (`npm run compose` writes it)');
    return new Promise<string>((found, abandon) => {
      this.state = { phase: 'waiting for file', watcher, found, abandon };
    });
  }

  private onFileEvent(update: (sdl: string) => void, healthCheck: (sdl: string) => Promise<void>): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.reloads = this.reloads.then(() => this.reload(update, healthCheck));
    }, SETTLE_MS);
  }

  private async reload(update: (sdl: string) => void, healthCheck: (sdl: string) => Promise<void>): Promise<void> {
    let sdl: string;
    try {
      sdl = await readFile(this.path, 'utf8');
    } catch (error) {
      // Deleted or being replaced: the schema being served stays until a new file arrives.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.error({ err: error, path: this.path }, 'supergraph file unreadable');
      return;
    }
    // A truncate-then-write shows up as an empty file first; the write that follows brings another event.
    if (!sdl.trim()) return;

    const state = this.state;
    if (state.phase === 'waiting for file') {
      state.found(sdl);
      return;
    }
    if (state.phase !== 'watching' || sdl === state.servedSdl) return;
    try {
      await healthCheck(sdl);
      update(sdl);
    } catch (error) {
      this.logger.error(
        { err: error, path: this.path },
        `kept the previous supergraph: the new one failed (${firstLine(error)}); save the file again to retry`,
      );
      return;
    }
    if (this.state.phase === 'watching') this.state.servedSdl = sdl;
    this.logger.info({ path: this.path }, 'supergraph reloaded');
  }

  stop(): void {
    clearTimeout(this.settleTimer);
    const state = this.state;
    if (state.phase === 'waiting for file') state.abandon(new Error('The gateway stopped before a supergraph was loaded.'));
    if (state.phase === 'waiting for file' || state.phase === 'watching') state.watcher.close();
    this.state = { phase: 'stopped' };
  }

  report(): undefined {
    return undefined;
  }
}

/** A supergraph as the registry serves it; `version` only ever increases. */
interface RegistryVersion {
  id: string;
  version: number;
  sdl: string;
}

type RegistryPhase =
  | { phase: 'initialized' }
  /** The registry has no supergraph yet, or cannot be reached: the first schema waits for it. */
  | { phase: 'waiting for registry'; retry: NodeJS.Timeout; abandon(reason: Error): void }
  | { phase: 'polling'; served: RegistryVersion; poll: NodeJS.Timeout; unsubscribe(): void }
  | { phase: 'stopped' };

/** How long one `GET /supergraph` may take: a registry that hangs must not hold the reloads behind it. */
const REGISTRY_TIMEOUT_MS = 10_000;

const STOPPED_BEFORE_LOAD = 'The gateway stopped before a supergraph was loaded.';

/**
 * A schema registry, through the same `supergraphSdl` hook as the file: `healthCheck(newSdl)` then
 * `update(newSdl)`; when either throws, the old schema stays. Redis notices only make it ask sooner:
 * missed ones (Redis down) are caught up by the next poll.
 */
class RegistrySupergraphSource implements SupergraphProvider {
  private state: RegistryPhase = { phase: 'initialized' };
  /** Reloads run one after another, so that a slow health check can never let an older version in after a newer one. */
  private reloads: Promise<void> = Promise.resolve();
  /** A reload waiting to start fetches the newest version anyway: a burst of notices and polls makes one fetch. */
  private reloadQueued = false;
  private lastRefusal: SupergraphReport['lastRefusal'];
  /** Aborts the fetch in flight on stop(), so that a stopping gateway does not wait for the registry. */
  private readonly aborts = new AbortController();

  constructor(
    private readonly source: Extract<SupergraphSource, { kind: 'registry' }>,
    private readonly logger: Logger,
    private readonly notices: SupergraphNotices,
  ) {}

  async initialize({ update, healthCheck }: Parameters<SupergraphManager['initialize']>[0]) {
    const first = await this.firstVersion();
    const reloadSoon = () => this.reloadSoon(update, healthCheck);
    const unsubscribe = this.notices.store.subscribe(supergraphChannel(this.notices.keyPrefix), reloadSoon);
    const poll = setInterval(reloadSoon, this.source.pollMs).unref();
    this.state = { phase: 'polling', served: first, poll, unsubscribe };
    this.logger.info({ registry: this.source.url, id: first.id, version: first.version }, 'supergraph loaded from the registry');
    return { supergraphSdl: first.sdl, cleanup: async () => this.stop() };
  }

  private async firstVersion(): Promise<RegistryVersion> {
    for (let attempt = 0; ; attempt++) {
      const fetched = await this.fetchVersion().catch((error: unknown) => error as Error);
      if (this.state.phase === 'stopped') throw new Error(STOPPED_BEFORE_LOAD);
      if (fetched && !(fetched instanceof Error)) return fetched;
      const why = fetched ? firstLine(fetched) : 'it has none yet';
      this.logger[attempt === 0 ? 'warn' : 'debug']({ registry: this.source.url }, `no supergraph from the registry (${why}): asking again every ${this.source.pollMs} ms`);
      await new Promise<void>((retry, abandon) => {
        this.state = { phase: 'waiting for registry', retry: setTimeout(retry, this.source.pollMs), abandon };
      });
    }
  }

  /** The registry's current version, or null while it has none (503). */
  private async fetchVersion(): Promise<RegistryVersion | null> {
    const signal = AbortSignal.any([this.aborts.signal, AbortSignal.timeout(REGISTRY_TIMEOUT_MS)]);
    const response = await fetch(`${this.source.url}/supergraph`, { signal }).catch((error: Error) => {
      throw new Error(`the registry could not be reached: ${firstLine(error.cause ?? error)}`);
    });
    if (response.status === 503) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw new Error(`the registry answered GET /supergraph with HTTP ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as Partial<RegistryVersion>;
    if (typeof body.id !== 'string' || !Number.isSafeInteger(body.version) || typeof body.sdl !== 'string') {
      throw new Error('the registry answered GET /supergraph without { id, version, sdl }');
    }
    return body as RegistryVersion;
  }

  private reloadSoon(update: (sdl: string) => void, healthCheck: (sdl: string) => Promise<void>): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    this.reloads = this.reloads.then(() => {
      this.reloadQueued = false;
      return this.reload(update, healthCheck);
    });
  }

  private async reload(update: (sdl: string) => void, healthCheck: (sdl: string) => Promise<void>): Promise<void> {
    let fetched: RegistryVersion | null;
    try {
      fetched = await this.fetchVersion();
    } catch (error) {
      if (this.state.phase === 'polling') this.refuse(error as Error);
      return;
    }
    if (this.state.phase !== 'polling' || !fetched || fetched.id === this.state.served.id) return;
    if (fetched.version <= this.state.served.version) {
      // Reloads run one at a time, so this is no late answer: the registry itself went back (its
      // database reset or restored). It is the source of truth; a gateway stuck ahead of it is not.
      this.logger.warn({ registry: this.source.url, served: this.state.served.version, registryVersion: fetched.version }, 'the registry serves an older version than this gateway: following it');
    }
    try {
      await healthCheck(fetched.sdl);
      if (this.state.phase !== 'polling') return;
      update(fetched.sdl);
    } catch (error) {
      this.refuse(error as Error, fetched.version);
      return;
    }
    this.state.served = fetched;
    this.logger.info({ registry: this.source.url, id: fetched.id, version: fetched.version }, 'supergraph reloaded from the registry');
  }

  /** Kept for /health; logged once per version and reason: polls retry a refused version (its subgraphs may come up). */
  private refuse(error: Error, version?: number): void {
    const reason = oneLine(error);
    const repeated = this.lastRefusal?.version === version && this.lastRefusal?.reason === reason;
    this.lastRefusal = { ...(version === undefined ? {} : { version }), reason, at: new Date().toISOString() };
    const what = version === undefined ? 'the registry could not be read' : `version ${version} was refused`;
    this.logger[repeated ? 'debug' : 'warn']({ err: error, registry: this.source.url, version }, `kept the previous supergraph: ${what} (${reason})`);
  }

  stop(): void {
    const state = this.state;
    if (state.phase === 'waiting for registry') {
      clearTimeout(state.retry);
      state.abandon(new Error(STOPPED_BEFORE_LOAD));
    }
    if (state.phase === 'polling') {
      clearInterval(state.poll);
      state.unsubscribe();
    }
    this.aborts.abort();
    this.state = { phase: 'stopped' };
  }

  report(): SupergraphReport | undefined {
    const state = this.state;
    if (state.phase !== 'polling') return undefined;
    return { source: 'registry', version: state.served.version, id: state.served.id, ...(this.lastRefusal ? { lastRefusal: this.lastRefusal } : {}) };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** The whole message on one line, for /health: a failed health check names its subgraphs after the first. */
function oneLine(error: Error): string {
  return error.message.replace(/\s*\n\s*/g, ' ').slice(0, 1000);
}

/** A subgraph as a supergraph names it: its name and routing URL. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** The subgraphs a supergraph routes to, read from its `join__Graph` enum. */
export function subgraphsOf(supergraphSdl: string): SubgraphEndpoint[] {
  const endpoints: SubgraphEndpoint[] = [];
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === 'join__graph');
      const name = graph && stringArgument(graph, 'name');
      const url = graph && stringArgument(graph, 'url');
      if (name && url !== undefined) endpoints.push({ name, url });
    }
  }
  return endpoints;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
