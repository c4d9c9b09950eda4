import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { DELIBERATE_CODES, SUBGRAPH_ERROR, SUBGRAPH_UNAVAILABLE } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { GatewayContext } from './context.js';
import { nullAnswer } from './nullAnswer.js';
import type { SubgraphFetch } from './traffic/chain.js';

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
type SubgraphError = NonNullable<SubgraphResponse['errors']>[number];

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
      const response = await fetchScope.run(context, () => super.process(options));
      return response.errors ? { ...response, errors: response.errors.map((error) => this.named(error, context)) } : response;
    } catch (error) {
      const unavailable = error instanceof GraphQLError && error.extensions.code === SUBGRAPH_UNAVAILABLE;
      if (!unavailable || !context || !options.request.query) throw error;
      return { data: nullAnswer(options.request.query, options.request.variables), errors: [error.toJSON()] };
    }
  }

  /**
   * One error of a subgraph's answer as the client will see it: always naming the subgraph (Apollo
   * adds `serviceName` to answered errors but not to thrown ones) and always with a deliberate code.
   * Without one, Apollo would call it DOWNSTREAM_SERVICE_ERROR and the gateway's masking would then
   * drop the name too; so it becomes SUBGRAPH_ERROR here, its message (which may hold the subgraph's
   * internals) logged rather than shown.
   */
  private named(error: SubgraphError, context: GatewayContext | null): SubgraphError {
    const code = error.extensions?.code;
    if (typeof code === 'string' && DELIBERATE_CODES.has(code)) return { ...error, extensions: { ...error.extensions, serviceName: this.name } };
    (context?.logger ?? this.logger).error({ subgraph: this.name, error }, 'subgraph answered an error without a deliberate code');
    return {
      message: `The ${this.name} subgraph could not answer this part.`,
      ...(error.path ? { path: error.path } : {}),
      extensions: { code: SUBGRAPH_ERROR, serviceName: this.name },
    };
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
