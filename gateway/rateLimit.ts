import { HeaderMap } from '@apollo/server';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { Caller } from '../lib/caller.js';
import { RATE_LIMITED } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { SharedStore } from '../lib/redis.js';

/** How many requests a client may make (see README, "Rate limits"). 0 switches a limit off. */
export interface RateLimitSettings {
  /** `RATE_LIMIT_ADDRESS_PER_MINUTE`: anonymous requests per client address; default 600. */
  addressPerMinute: number;
  /** `RATE_LIMIT_CALLER_PER_MINUTE`: requests per signed-in caller, wherever they come from; default 1200. */
  callerPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { addressPerMinute: 600, callerPerMinute: 1200 };

/** One request's turn at its bucket. */
export interface Decision {
  allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the bucket is full again, or, when refused, until one request is allowed. */
  resetSeconds: number;
}

/**
 * Token buckets: `limit` tokens, refilled evenly over `windowMs`; a request takes one. A whole
 * window's worth may come at once, then requests are allowed as fast as tokens come back.
 * `null`: the bucket could not be read, and the request is let through (fail open).
 */
export interface Buckets {
  take(key: string, limit: number, windowMs: number): Promise<Decision | null>;
}

const WINDOW_MS = 60_000;

/** The state a bucket lives in between requests: tokens left at `at` (ms). */
interface BucketState {
  tokens: number;
  at: number;
}

/** The token bucket's arithmetic, shared by the Redis script (written after it) and the memory buckets. */
function turn(state: BucketState | undefined, now: number, limit: number, windowMs: number): { state: BucketState; decision: Decision } {
  const perMs = limit / windowMs;
  const tokens = Math.min(limit, (state?.tokens ?? limit) + Math.max(0, now - (state?.at ?? now)) * perMs);
  const allowed = tokens >= 1;
  const left = allowed ? tokens - 1 : tokens;
  const waitMs = allowed ? (limit - left) / perMs : (1 - left) / perMs;
  return { state: { tokens: left, at: now }, decision: { allowed, remaining: Math.floor(left), resetSeconds: Math.ceil(waitMs / 1000) } };
}

/** Buckets in this process's memory: one replica, or `npm start` without Redis. `now` is for tests. */
export function memoryBuckets(now: () => number = Date.now, maxKeys = 100_000): Buckets {
  const buckets = new Map<string, BucketState>();
  return {
    async take(key, limit, windowMs) {
      const at = now();
      // A bucket untouched for a whole window is full again: forgetting it changes nothing, and keeps
      // a flood of addresses from growing the map without bound.
      if (buckets.size >= maxKeys) {
        for (const [old, state] of buckets) if (at - state.at >= windowMs) buckets.delete(old);
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      }
      const { state, decision } = turn(buckets.get(key), at, limit, windowMs);
      buckets.set(key, state);
      return decision;
    },
  };
}

/**
 * The same bucket in Redis, read and written by one script, so that replicas sharing a bucket never
 * both spend its last token. The clock is Redis's own (`TIME`): replicas' clocks may disagree.
 */
const TAKE_TOKEN = `
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local perMs = limit / windowMs
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or limit
local at = tonumber(saved[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - at) * perMs)
local allowed = 0
local waitMs
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
  waitMs = (limit - tokens) / perMs
else
  waitMs = (1 - tokens) / perMs
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], windowMs)
return { allowed, math.floor(tokens), math.ceil(waitMs / 1000) }
`;

type TakeToken = (key: string, limit: number, windowMs: number) => Promise<[number, number, number]>;

/** Buckets in the shared Redis; `null` (fail open) when Redis fails the script. */
export function redisBuckets(redis: Redis, failOpen: SharedStore['failOpen']): Buckets {
  redis.defineCommand('ventanillaTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
  const takeToken = (redis as unknown as { ventanillaTakeToken: TakeToken }).ventanillaTakeToken.bind(redis);
  return {
    async take(key, limit, windowMs) {
      return failOpen(async () => {
        const [allowed, remaining, resetSeconds] = await takeToken(`ratelimit:${key}`, limit, windowMs);
        return { allowed: allowed === 1, remaining, resetSeconds };
      }, null);
    },
  };
}

/** What the rate limiter reports on /health and counts for metrics. */
export interface RateLimitReport {
  state: 'off' | 'enforcing' | 'failing open';
  /** Requests let through unchecked since start because their bucket could not be read. */
  failedOpen: number;
}

export interface RateLimiter {
  /**
   * Takes the request's turn: sets the RateLimit headers on `res`, and throws RATE_LIMITED (HTTP 429,
   * `Retry-After`) when its bucket is empty. A signed-in caller spends their own bucket, an
   * anonymous request its address's.
   */
  admit(req: Request, res: Response, caller: Caller | null): Promise<void>;
  report(): RateLimitReport;
}

export function rateLimiter(settings: RateLimitSettings, store: SharedStore, logger: Logger): RateLimiter {
  const buckets = store.redis ? redisBuckets(store.redis, store.failOpen) : memoryBuckets();
  let failedOpen = 0;
  let failing = false;
  return {
    async admit(req, res, caller) {
      const policy = caller ? { name: 'caller', limit: settings.callerPerMinute, key: `caller:${caller.kind}:${caller.id}` } : { name: 'address', limit: settings.addressPerMinute, key: `address:${addressKey(req.ip ?? '')}` };
      if (policy.limit === 0) return;
      const decision = await buckets.take(policy.key, policy.limit, WINDOW_MS);
      if (!decision) {
        failedOpen += 1;
        // One line per outage, not one per request.
        if (!failing) logger.warn('Rate limits cannot be checked (Redis is unreachable): requests are let through unchecked until it is back');
        failing = true;
        return;
      }
      if (failing) logger.info('Rate limits are checked again');
      failing = false;
      // The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers): quota and window, remaining, seconds to reset.
      res.setHeader('RateLimit-Policy', `"${policy.name}";q=${policy.limit};w=${WINDOW_MS / 1000}`);
      res.setHeader('RateLimit', `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`);
      if (decision.allowed) return;
      const who = caller ? 'You have' : 'This address has';
      throw new GraphQLError(`${who} sent more than ${policy.limit} requests in a minute: try again in ${decision.resetSeconds} s.`, {
        extensions: { code: RATE_LIMITED, http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.resetSeconds)]]) } },
      });
    },
    report: () => ({
      state: settings.addressPerMinute === 0 && settings.callerPerMinute === 0 ? 'off' : failing ? 'failing open' : 'enforcing',
      failedOpen,
    }),
  };
}

/**
 * The bucket an address spends: IPv4 addresses (also when IPv4-mapped) one by one; IPv6 ones by
 * their /64, the block a single subscriber is given, so that one client cannot rotate through it.
 */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  if (address.toLowerCase().startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((group) => (parseInt(group, 16) || 0).toString(16)).join(':')}::/64`;
}
