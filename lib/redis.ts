import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** Where shared state lives: Redis when `REDIS_URL` is set, else this process's memory (one replica, `npm start`). */
export interface SharedStore {
  /** Fails open: while Redis is down or slow every read is a miss and every write is dropped, never an error. */
  cache: KeyValueCache<string>;
  /** For /health: `memory` without Redis; `down` while Redis cannot be reached (the platform keeps serving). */
  state(): 'memory' | 'up' | 'down';
  /** Commands that failed open since start: a counter for metrics. */
  failures(): number;
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
    return { cache, state: () => 'memory', failures: () => 0, close: async () => {} };
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
  let failed = 0;
  // One line when Redis goes away and one when it is back, not one per failed command.
  redis.on('ready', () => {
    if (!up) logger.info({ redis: redact(options.url!) }, 'Redis is reachable');
    up = true;
  });
  redis.on('error', (error: Error) => {
    if (up) logger.warn({ err: error, redis: redact(options.url!) }, 'Redis is unreachable: caches are misses until it is back');
    up = false;
  });
  const failOpen = async <T>(command: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await command();
    } catch {
      failed += 1;
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
  return {
    cache,
    state: () => (up ? 'up' : 'down'),
    failures: () => failed,
    close: async () => {
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
