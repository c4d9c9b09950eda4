import { createGateway, type GatewayOptions, type GatewayServer } from '../../gateway/createGateway.js';
import type { SupergraphSource } from '../../gateway/supergraph.js';
import { composeSupergraph, formatProblems } from '../../schema/compose.js';
import type { SubgraphName } from '../../subgraphs/shared/config.js';
import { listen } from '../../lib/http.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { TEST_JWT_SECRET } from './graphql.js';
import { startSubgraph, type RunningSubgraph, type StartOptions } from './subgraph.js';

/** A gateway listening on an OS-picked port. */
export interface RunningGateway {
  /** `http://127.0.0.1:<port>/graphql`. */
  url: string;
  /** `http://127.0.0.1:<port>`, for /health and /playground. */
  baseUrl: string;
  gateway: GatewayServer;
  close(): Promise<void>;
}

/** What a test may choose of the gateway: createGateway's options but the secret (TEST_JWT_SECRET), and more. */
export interface StartGatewayOptions extends Omit<GatewayOptions, 'supergraph' | 'jwtSecret'> {
  /** Default: a silent logger. */
  logger?: Logger;
  /** Wait until it serves before resolving (default true); false to see it starting. */
  waitForReady?: boolean;
}

/**
 * Starts the gateway on port 0 over `supergraph` with TEST_JWT_SECRET and, unless told otherwise,
 * waits until it serves; on failure, nothing is left running.
 */
export async function startGateway(supergraph: SupergraphSource, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { logger = createLogger('gateway', 'silent'), waitForReady = true, ...gatewayOptions } = options;
  const gateway = createGateway({ ...gatewayOptions, supergraph, jwtSecret: TEST_JWT_SECRET }, { logger });
  const listening = await listen(gateway.app, 0, '127.0.0.1').catch(async (error: unknown) => {
    await gateway.stop();
    throw error;
  });
  const close = async () => {
    await listening.close();
    await gateway.stop();
  };
  try {
    if (waitForReady) await gateway.ready;
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `${listening.url}/graphql`, baseUrl: listening.url, gateway, close };
}

/** The four agencies' subgraphs and the gateway over them, as in production but on port 0. */
export interface Platform extends RunningGateway {
  /** Each subgraph by name; closing one simulates that agency's outage (the platform's close() still works). */
  subgraphs: Record<SubgraphName, RunningSubgraph>;
}

/** `subgraph` whose close() may be called again: a test stops a subgraph to see an outage, close() stops the rest. */
function closingOnce(subgraph: RunningSubgraph): RunningSubgraph {
  let closing: Promise<void> | undefined;
  return { ...subgraph, close: () => (closing ??= subgraph.close()) };
}

/**
 * Starts the four real subgraphs (each on its own fresh PostgreSQL database, seeded with the
 * personas and `options.citizens` generated citizens), composes the supergraph in-process with
 * their URLs, and starts the gateway over it. `close()` stops and drops everything; a failure
 * half-way closes what had started before rethrowing.
 */
export async function startPlatform(options: StartOptions = {}): Promise<Platform> {
  // Loaded on demand: gateway tests over toy subgraphs need none of the agencies' code.
  const services = (await import('../../subgraphs/services.js')).SERVICES;
  const started = await Promise.allSettled(
    services.map(async (service) => ({ service, subgraph: closingOnce(await startSubgraph(service, options)) })),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const closeSubgraphs = () => Promise.all(running.map(({ subgraph }) => subgraph.close()));

  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;

    const composition = composeSupergraph(
      running.map(({ service, subgraph }) => ({ name: service.name, routingUrl: subgraph.url, typeDefs: service.typeDefs })),
    );
    if (composition.errors) throw new Error(`The subgraphs do not compose:\n${formatProblems(composition.errors)}`);
    const gateway = await startGateway({ kind: 'sdl', sdl: composition.supergraphSdl });

    const subgraphs = Object.fromEntries(running.map(({ service, subgraph }) => [service.name, subgraph])) as Record<SubgraphName, RunningSubgraph>;
    return {
      ...gateway,
      subgraphs,
      async close() {
        await gateway.close();
        await closeSubgraphs();
      },
    };
  } catch (error) {
    await closeSubgraphs();
    throw error;
  }
}
