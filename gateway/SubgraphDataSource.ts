import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { SUBGRAPH_UNAVAILABLE } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { GatewayContext } from './context.js';
import { nullAnswer } from './nullAnswer.js';
import type { SubgraphFetch } from './traffic/chain.js';

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/**
 * The client request a fetch serves, for the traffic chain: Apollo calls the fetcher with a URL and
 * init alone, from within `process`, which knows the request.
 */
const fetchScope = new AsyncLocalStorage<GatewayContext | null>();

/**
 * How the gateway calls one subgraph: through `traffic`, the chain of wrappers that add the timeout,
 * the assertion and whatever else (see traffic/). Nothing of the incoming request is forwarded, no
 * header, no cookie, no token: the assertion the chain adds is all a subgraph is told.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  private readonly logger: Logger;

  constructor(options: { name: string; url: string; logger: Logger; traffic: SubgraphFetch }) {
    super({
      url: options.url,
      fetcher: (url, init) =>
        options.traffic({
          subgraph: options.name,
          url: String(url),
          init: { ...(init as RequestInit), headers: { ...(init?.headers as Record<string, string>) } },
          context: fetchScope.getStore() ?? null,
        }) as unknown as ReturnType<NonNullable<RemoteGraphQLDataSource['fetcher']>>,
    });
    this.name = options.name;
    this.logger = options.logger;
  }

  /**
   * A subgraph that could not answer an operation's fetch answers it with nulls and the error that
   * names it, so that the planner carries on with the other subgraphs (see `nullAnswer`).
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const context = 'incomingRequestContext' in options ? options.incomingRequestContext.context : null;
    try {
      return await fetchScope.run(context, () => super.process(options));
    } catch (error) {
      const unavailable = error instanceof GraphQLError && error.extensions.code === SUBGRAPH_UNAVAILABLE;
      if (!unavailable || !context || !options.request.query) throw error;
      return { data: nullAnswer(options.request.query, options.request.variables), errors: [error.toJSON()] };
    }
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
