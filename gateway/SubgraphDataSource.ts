import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { SUBGRAPH_UNAVAILABLE } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { GatewayContext } from './context.js';
import { nullAnswer } from './nullAnswer.js';

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/**
 * How the gateway calls one subgraph. It forwards the caller's verified bearer token and the request
 * id, and nothing else of the incoming request (no cookies, no other headers): each subgraph verifies
 * the token again itself and decides what the caller may read.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  private readonly logger: Logger;

  constructor(options: { name: string; url: string; logger: Logger; timeoutMs: number }) {
    super({
      url: options.url,
      // A hung subgraph must not hold the whole request: past the limit it counts as unavailable.
      fetcher: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) } as RequestInit),
    });
    this.name = options.name;
    this.logger = options.logger;
  }

  /**
   * A subgraph that could not answer an operation's fetch answers it with nulls and the error that
   * names it, so that the planner carries on with the other subgraphs (see `nullAnswer`).
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const unavailable = error instanceof GraphQLError && error.extensions.code === SUBGRAPH_UNAVAILABLE;
      if (!unavailable || !('incomingRequestContext' in options) || !options.request.query) throw error;
      return { data: nullAnswer(options.request.query, options.request.variables), errors: [error.toJSON()] };
    }
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loads are the gateway's own requests: they carry no caller.
    if (!('incomingRequestContext' in options)) return;
    const { viewer, requestId } = options.incomingRequestContext.context;
    const headers = options.request.http?.headers;
    if (!headers) return;
    if (viewer) headers.set('authorization', `Bearer ${viewer.token}`);
    headers.set('x-request-id', requestId);
  }

  /**
   * A subgraph that is down or answers with an HTTP error costs only its own fields: the error names
   * it and keeps its address and the raw failure out of the response (they are logged).
   */
  override didEncounterError(
    error: Error,
    _request: unknown,
    response?: { ok: boolean; status: number },
    context?: GatewayContext,
  ): never {
    const logger = context?.logger ?? this.logger;
    logger.error({ err: error, subgraph: this.name, status: response?.status }, 'subgraph request failed');
    const why = !response ? 'could not be reached' : response.ok ? 'sent an unreadable answer' : `answered HTTP ${response.status}`;
    throw new GraphQLError(`The ${this.name} subgraph ${why}; its part of the answer is missing.`, {
      extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: this.name },
    });
  }
}
