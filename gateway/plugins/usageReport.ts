import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import { signAssertion, USAGE_AUDIENCE } from '../../lib/assertions.js';
import type { KeySet } from '../../lib/keys.js';
import { coordinatesUsedBy } from '../../lib/schemaCoordinates.js';


/** One operation as `POST <registry>/usage` takes it. */
interface OperationUsage {
  /** SHA-256 (hex) of the operation document's text: Apollo Server's `queryHash`. */
  signature: string;
  name: string | null;
  /** What the operation reaches: `Type`, `Type.field`, `Type.field.argument`. */
  coordinates: string[];
  count: number;
}

/** How long one `POST /usage` may take: a report must not pile up behind a registry that hangs. */
const POST_TIMEOUT_MS = 5000;
/**
 * Distinct operations in one report at most: a flood of one-off documents must not make a report the
 * registry refuses for its size, losing the real traffic with it. Beyond it, new ones wait for the next.
 */
const MAX_BATCH = 1000;
/** Operations whose coordinates are remembered at most: the cache must not grow with every new document. */
const MAX_SIGNATURES = 10_000;

/**
 * Counts the operations served, by document and name, and sends them to the schema registry every
 * `flushMs` (so that it can tell which fields a schema change would break). Off the request path: a
 * request only bumps a counter; a report that fails is dropped, never retried, never an error.
 */
export function usageReportPlugin(options: { registryUrl: string; flushMs: number; keys: KeySet; logger: Logger }): { plugin: ApolloServerPlugin; stop(): Promise<void> } {
  const { registryUrl, flushMs, logger } = options;
  let batch = new Map<string, OperationUsage>();
  // A document's coordinates depend on the schema too: a hot reload makes a new cache.
  const coordinates = new WeakMap<GraphQLSchema, Map<string, string[]>>();
  let failing = false;
  let overflowed = false;

  // Keyed by signature and operation: a document of several operations (the contract, sent whole) runs one.
  const coordinatesOf = (schema: GraphQLSchema, key: string, document: DocumentNode, operationName: string | null): string[] => {
    let known = coordinates.get(schema);
    if (!known) coordinates.set(schema, (known = new Map()));
    let found = known.get(key);
    if (!found) {
      if (known.size >= MAX_SIGNATURES) known.clear();
      known.set(key, (found = coordinatesUsedBy(document, schema, operationName ?? undefined)));
    }
    return found;
  };

  const flush = async () => {
    if (batch.size === 0) return;
    const operations = [...batch.values()];
    batch = new Map();
    if (overflowed) logger.info({ operations: MAX_BATCH }, `more than ${MAX_BATCH} distinct operations since the last usage report: the others wait for the next`);
    overflowed = false;
    try {
      // Signed as the gateway's fetches to subgraphs are: the registry takes usage from gateways only.
      const assertion = await signAssertion(options.keys, USAGE_AUDIENCE, { caller: null, purpose: null, requestId: `usage-${randomUUID()}` });
      const response = await fetch(`${registryUrl}/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${assertion}` },
        body: JSON.stringify({ operations }),
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (failing) logger.info({ registry: registryUrl }, 'usage reports reach the registry again');
      failing = false;
    } catch (error) {
      // One line per outage of the registry, not one per report.
      if (!failing) logger.info({ err: error, registry: registryUrl }, 'a usage report could not be sent to the registry: dropped, as the next ones will be until it answers');
      failing = true;
    }
  };
  const timer = setInterval(() => void flush(), flushMs).unref();

  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        // Counted once answered, and only when it ran: an operation refused before it ran (trusted
        // documents, limits, access rules) is no client's use of the schema.
        async willSendResponse({ queryHash, operationName: named, document, schema, response }) {
          if (!queryHash || !document || response.body.kind !== 'single' || response.body.singleResult.data === undefined) return;
          const operationName = named ?? null;
          const key = `${queryHash}\n${operationName ?? ''}`;
          const usage = batch.get(key);
          if (usage) usage.count += 1;
          else if (batch.size < MAX_BATCH) batch.set(key, { signature: queryHash, name: operationName, coordinates: coordinatesOf(schema, key, document, operationName), count: 1 });
          else overflowed = true;
        },
      };
    },
  };

  return {
    plugin,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
