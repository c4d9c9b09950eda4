import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GatewayContext } from './context.js';

/**
 * Whole answers to anonymous queries, kept in `cache` (Redis, shared by every replica) for as long as
 * the subgraphs' `@cacheControl` hints allow: the gateway computes an answer's policy from the
 * `cache-control` headers of the subgraph fetches that made it, so an answer is cached only when every
 * field of every fetch has a hint (the catalogue's do) and it holds no error.
 *
 * `Cache-Control: no-cache` on the request skips reading it (see `GatewayContext.fresh`).
 * Never shared between callers: a signed-in caller's request neither reads nor writes the cache, and a
 * PRIVATE answer is never kept (no session id). Keys hold the supergraph's id (`supergraphId()`), so
 * a new supergraph starts from an empty cache and the old answers expire unread.
 */
export function publicResponseCache(cache: KeyValueCache<string>, supergraphId: () => string): ApolloServerPlugin<GatewayContext> {
  const anonymous = async ({ contextValue }: { contextValue: GatewayContext }) => contextValue.caller === null;
  return responseCachePlugin<GatewayContext>({
    cache,
    sessionId: async () => null,
    // A caller asking for a fresh answer gets one, and it is kept for the others.
    shouldReadFromCache: async ({ contextValue }) => contextValue.caller === null && !contextValue.fresh,
    shouldWriteToCache: anonymous,
    generateCacheKey: (_requestContext, keyData) => `${supergraphId()}:${createHash('sha256').update(JSON.stringify(keyData)).digest('hex')}`,
  });
}
