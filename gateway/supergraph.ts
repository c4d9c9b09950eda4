import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import type { Logger } from '../lib/logger.js';

/** Where the gateway's supergraph comes from. */
export type SupergraphSource =
  /** A supergraph SDL held in memory (tests, the platform harness): served as is, never reloaded. */
  | { kind: 'sdl'; sdl: string }
  /**
   * A supergraph file (`npm run compose` writes one). With `watch`, each valid version written to it
   * is served; one that fails (unparsable, invalid, or naming subgraphs that do not answer) is
   * logged and the previous one kept. Without `watch`, it is read once.
   */
  | { kind: 'file'; path: string; watch: boolean };

/** A supergraph manager for `new ApolloGateway({ supergraphSdl })`, plus a way to give up waiting for a first schema. */
export interface SupergraphProvider extends SupergraphManager {
  /** Stops watching; a gateway still waiting for its first supergraph fails to load. */
  stop(): void;
}

/** How long a burst of file events (an editor or `compose` writing) settles before the file is read. */
const SETTLE_MS = 100;

export function supergraphProvider(source: SupergraphSource, logger: Logger): SupergraphProvider {
  if (source.kind === 'sdl') {
    return { initialize: async () => ({ supergraphSdl: source.sdl }), stop() {} };
  }
  if (!source.watch) {
    return { initialize: async () => ({ supergraphSdl: await readSupergraphFile(source.path) }), stop() {} };
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
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
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
