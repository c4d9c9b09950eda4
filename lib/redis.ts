import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** Where shared state lives: Redis when `REDIS_URL` is set, else this process's memory (one replica, `npm start`). */
export interface SharedStore {
  /** Fails open: while Redis is down or slow every read is a miss and every write is dropped, never an error. */
  cache: KeyValueCache<string>;
  /**
   * For /health: `memory` without Redis; `down` while Redis cannot be reached or its last command
   * failed, e.g. slower than 250 ms (the platform keeps serving).
   */
  state(): 'memory' | 'up' | 'down';
  /**
   * The Redis client, for what needs more than a cache (scripts, pub/sub), or null in memory. Its
   * commands fail at once while Redis is down: run them through `failOpen`.
   */
  redis: Redis | null;
  /**
   * Resolves once Redis has answered for the first time, or after `timeoutMs` without it: commands
   * sent before the first connection would all fail open. At once in memory.
   */
  connected(timeoutMs: number): Promise<void>;
  /**
   * Runs `restore` now and whenever Redis is reached again, for state every replica must find there
   * (a Redis that restarts may have lost it). In memory, once. Resolves once the first run is done.
   */
  keep(restore: () => Promise<void>): Promise<void>;
  /** `command`'s answer, or `fallback` when Redis fails it. */
  failOpen<T>(command: () => Promise<T>, fallback: T): Promise<T>;
  /**
   * Calls `onMessage` with each message published on `channel` (a channel name is not a key:
   * `keyPrefix` does not apply, the caller puts it in). Messages published while Redis is down are
   * lost. In memory, never calls back. Returns how to stop listening.
   */
  subscribe(channel: string, onMessage: (message: string) => void): () => void;
  close(): Promise<void>;
}

/** A command slower than this counts as Redis being slow: the request goes on without it. */
const COMMAND_TIMEOUT_MS = 250;

/**
 * Opens the shared store. With a URL, commands are never queued while disconnected
 * (`enableOfflineQueue: false`) and never retried: a request must not wait for Redis. ioredis
 * reconnects on its own, forever, with a capped backoff, so everything recovers when Redis is back.
 */
export function openSharedStore(options: { url: string | undefined; keyPrefix: string; logger: Logger }): SharedStore {
  if (!options.url) {
    const cache = new InMemoryLRUCache<string>();
    return { cache, state: () => 'memory', redis: null, connected: async () => {}, keep: (restore) => restore(), failOpen: (command) => command(), subscribe: () => () => {}, close: async () => {} };
  }
  const { logger } = options;
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let up = false;
  // Connected but not answering in time (stalled, overloaded) is down too, until a command succeeds.
  let answering = true;
  // One line when Redis goes away and one when it is back, not one per failed command.
  redis.on('ready', () => {
    if (!up) logger.info({ redis: redact(options.url!) }, 'Redis is reachable');
    up = true;
  });
  const lost = (error?: Error) => {
    if (up) logger.warn({ ...(error ? { err: error } : {}), redis: redact(options.url!) }, 'Redis is unreachable: caches are misses until it is back');
    up = false;
  };
  // A dropped connection says "close" at once; "error" comes with each failed reconnection.
  redis.on('close', () => lost());
  redis.on('error', lost);
  const failOpen = async <T>(command: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      const answer = await command();
      answering = true;
      return answer;
    } catch (error) {
      if (up && answering && error instanceof Error && /timed out/i.test(error.message)) {
        logger.warn({ redis: redact(options.url!) }, `Redis answers slower than ${COMMAND_TIMEOUT_MS} ms: caches are misses until it answers in time`);
      }
      answering = false;
      return fallback;
    }
  };
  const cache: KeyValueCache<string> = {
    get: (key) => failOpen(async () => (await redis.get(key)) ?? undefined, undefined),
    set: (key, value, setOptions?: KeyValueCacheSetOptions) =>
      failOpen(async () => {
        if (setOptions?.ttl) await redis.set(key, value, 'EX', Math.max(1, Math.ceil(setOptions.ttl)));
        else await redis.set(key, value);
      }, undefined),
    delete: (key) => failOpen(async () => (await redis.del(key)) > 0, false),
  };
  const listeners = new Map<string, Set<(message: string) => void>>();
  let subscriber: Redis | undefined;
  // A connection in subscriber mode takes no other command, hence one of its own, opened on first use.
  const openSubscriber = (): Redis => {
    // Subscriptions are sent on each 'ready', not queued or resubscribed by ioredis: one refused while
    // Redis was down would never be sent again. No timeout: a slow SUBSCRIBE still subscribes.
    const connection = redis.duplicate({ autoResubscribe: false, commandTimeout: undefined });
    connection.on('ready', () => {
      if (listeners.size) connection.subscribe(...listeners.keys()).catch((error: Error) => logger.warn({ err: error }, 'Redis subscription failed: notices are missed until Redis reconnects'));
    });
    connection.on('message', (channel: string, message: string) => {
      for (const onMessage of listeners.get(channel) ?? []) onMessage(message);
    });
    // The main connection already tells when Redis goes away; this one reconnects by itself.
    connection.on('error', () => {});
    return connection;
  };
  return {
    cache,
    state: () => (up && answering ? 'up' : 'down'),
    redis,
    connected: (timeoutMs) =>
      new Promise<void>((resolve) => {
        if (up) return resolve();
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
        redis.once('ready', done);
      }),
    keep(restore) {
      redis.on('ready', () => void restore().catch((error: unknown) => logger.warn({ err: error }, 'restoring shared state in Redis failed')));
      return up ? restore() : Promise.resolve();
    },
    failOpen,
    subscribe(channel, onMessage) {
      const connection = (subscriber ??= openSubscriber());
      const mine = listeners.get(channel) ?? new Set();
      if (!listeners.has(channel)) {
        listeners.set(channel, mine);
        // Not ready yet: its 'ready' subscribes to every channel.
        if (connection.status === 'ready') connection.subscribe(channel).catch((error: Error) => logger.warn({ err: error, channel }, 'Redis subscription failed'));
      }
      mine.add(onMessage);
      return () => {
        mine.delete(onMessage);
        if (mine.size || listeners.get(channel) !== mine) return;
        listeners.delete(channel);
        // A failed UNSUBSCRIBE only leaves messages that reach no listener.
        if (connection.status === 'ready') connection.unsubscribe(channel).catch(() => {});
      };
    },
    close: async () => {
      subscriber?.disconnect();
      redis.disconnect();
    },
  };
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed) return 'redis';
  parsed.password = parsed.password ? '***' : '';
  return parsed.toString();
}

/**
 * The channel on which the schema registry announces a new supergraph to gateways. Channels take no
 * key prefix from ioredis: the platform's is put before it here, as before every key.
 */
export function supergraphChannel(keyPrefix: string): string {
  return `${keyPrefix}supergraph`;
}
