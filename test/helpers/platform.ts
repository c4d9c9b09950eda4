import { createGateway, type GatewayOptions, type GatewayServer } from '../../gateway/createGateway.js';
import type { SupergraphSource } from '../../gateway/supergraph.js';
import { composeSupergraph, formatProblems } from '../../schema/compose.js';
import type { SubgraphName } from '../../subgraphs/shared/config.js';
import { listen } from '../../lib/http.js';
import { remoteKeys } from '../../lib/keySources.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { signIn, type SignInOptions } from '../../lib/signIn.js';
import { GATEWAY_KEY_CACHE } from '../../subgraphs/shared/start.js';
import { testSignInOptions, testTrust } from './trust.js';
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

/**
 * What a test may choose of the gateway: createGateway's options, where sign-in and keys default to
 * the test identity provider's and the test gateway keys (see trust.ts), and more.
 */
export interface StartGatewayOptions extends Omit<GatewayOptions, 'supergraph' | 'signIn' | 'keys'> {
  /** Changes to how sign-in is verified (the test issuer, audience `ventanilla`, ...). */
  signIn?: Partial<SignInOptions>;
  keys?: GatewayOptions['keys'];
  /** Default: a silent logger. */
  logger?: Logger;
  /** Wait until it serves before resolving (default true); false to see it starting. */
  waitForReady?: boolean;
  /** The port to listen on; default 0 (any free one). */
  port?: number;
}

/** Tests send hundreds of requests from one address: limits are off unless a test sets them. */
const NO_RATE_LIMITS = { addressPerMinute: 0, callerPerMinute: 0 };

/**
 * Starts the gateway on port 0 over `supergraph`, trusting the test identity provider and signing
 * with the test gateway keys, and, unless told otherwise, waits until it serves; on failure, nothing
 * is left running.
 */
export async function startGateway(supergraph: SupergraphSource, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { logger = createLogger('gateway', 'silent'), waitForReady = true, signIn: signInChanges, keys, port = 0, ...gatewayOptions } = options;
  const verifier = signIn(await testSignInOptions(signInChanges));
  const gateway = createGateway({ ...gatewayOptions, rateLimits: { ...NO_RATE_LIMITS, ...gatewayOptions.rateLimits }, supergraph, signIn: verifier, keys: keys ?? (await testTrust()).gatewayKeys }, { logger });
  const listening = await listen(gateway.app, port, '127.0.0.1').catch(async (error: unknown) => {
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
  /** The supergraph the gateway serves: another gateway over it is another replica of the platform. */
  supergraphSdl: string;
}

/** `subgraph` whose close() may be called again: a test stops a subgraph to see an outage, close() stops the rest. */
function closingOnce(subgraph: RunningSubgraph): RunningSubgraph {
  let closing: Promise<void> | undefined;
  return { ...subgraph, close: () => (closing ??= subgraph.close()) };
}

/**
 * Starts the four real subgraphs (each on its own fresh PostgreSQL database, seeded with the
 * personas and `options.citizens` generated citizens), composes the supergraph in-process with
 * their URLs, and starts the gateway over it (with `options.gateway`). `close()` stops and drops everything; a failure
 * half-way closes what had started before rethrowing.
 */
export async function startPlatform(options: StartOptions & { gateway?: StartGatewayOptions } = {}): Promise<Platform> {
  // Loaded on demand: gateway tests over toy subgraphs need none of the agencies' code.
  const services = (await import('../../subgraphs/services.js')).SERVICES;
  // Subgraphs verify assertions against the keys the gateway serves, over HTTP as in production; the
  // gateway starts last (it needs their URLs), so its address is filled in once it listens.
  let gatewayBaseUrl: string | undefined;
  const gatewayKeys = remoteKeys(() => new URL(`${gatewayBaseUrl ?? 'http://127.0.0.1:1'}/.well-known/jwks.json`), GATEWAY_KEY_CACHE);
  const started = await Promise.allSettled(
    services.map(async (service) => ({ service, subgraph: closingOnce(await startSubgraph(service, { ...options, gatewayKeys })) })),
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
    const gateway = await startGateway({ kind: 'sdl', sdl: composition.supergraphSdl }, { ...options.gateway, waitForReady: false });
    gatewayBaseUrl = gateway.baseUrl;
    await gateway.gateway.ready.catch(async (error: unknown) => {
      await gateway.close();
      throw error;
    });

    const subgraphs = Object.fromEntries(running.map(({ service, subgraph }) => [service.name, subgraph])) as Record<SubgraphName, RunningSubgraph>;
    return {
      ...gateway,
      subgraphs,
      supergraphSdl: composition.supergraphSdl,
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
