import type { RequestHandler, Response } from 'express';
import { createSourceEventStream, execute, GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse';
import { maskUnexpectedError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { queryLimitRules, queryParseOptions, type QueryLimits } from '../../lib/queryLimits.js';
import type { BaseContext } from './service.js';

/**
 * A subscription's source event names itself for the wire: its `eventId`, when it has one, is sent
 * as the SSE `id:` of the event's result, which a client gives back as `Last-Event-ID`.
 */
export interface NamedSourceEvent {
  eventId?: unknown;
}

export interface StreamOptions<Context extends BaseContext> {
  schema: GraphQLSchema;
  limits: QueryLimits;
  logger: Logger;
  /**
   * A context as /graphql builds one, for the request's assertion (`res.locals.assertion`) and the
   * client's Last-Event-ID. Called once to subscribe and again for each event: every event is read
   * with loaders and an access log of its own, as a request of its own would be.
   */
  context(res: Response, lastEventId: string | null): Promise<Context>;
  /** Writes the reads one event's context noted to the agency's access record; throws when it cannot. */
  record(context: Context): Promise<void>;
}

/** A Last-Event-ID is echoed into a database query: only a short, plain one is passed on. */
const LAST_EVENT_ID = /^[\w.:-]{1,128}$/;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * Serves a subgraph's subscriptions over Server-Sent Events, the graphql-sse protocol's distinct
 * connections mode (graphql-sse is its reference implementation): one operation per request, each
 * result a `next` event, then `complete`. graphql-sse sends no `id:`; each `next` gets its source
 * event's id here, in the order the results were made. An event whose reads cannot be recorded is
 * not answered: the stream ends with an error instead, and the client resumes from the last id it got.
 */
export function streamHandler<Context extends BaseContext>(options: StreamOptions<Context>): RequestHandler {
  const { schema, limits, logger } = options;
  const rules = [...specifiedRules, ...queryLimitRules(limits)];
  const mask = maskUnexpectedError(logger);

  return async (req, res, next) => {
    try {
      const header = req.header('last-event-id');
      const lastEventId = header && LAST_EVENT_ID.test(header) ? header : null;
      // The ids of the results made and not yet sent, oldest first; null for a result without one.
      const ids: (string | null)[] = [];
      const handler = createHandler<unknown, unknown, Record<PropertyKey, unknown>>({
        // Distinct connections only: no stream is reserved by one request for the next.
        authenticate: () => null,
        validate: (validated, document) =>
          validate(validated, document, rules).map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
        onSubscribe: async (_request, params) => {
          try {
            const document = parse(params.query, queryParseOptions(limits));
            return { schema, document, operationName: params.operationName, variableValues: params.variables, contextValue: (await options.context(res, lastEventId)) as unknown as Record<PropertyKey, unknown> };
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            return [JSON.stringify({ errors: [{ message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] }), { status: 400, statusText: 'Bad Request', headers: JSON_HEADERS }];
          }
        },
        execute: () => ({ errors: [new GraphQLError('Only subscriptions are served here: queries and mutations go to /graphql.', { extensions: { code: 'BAD_REQUEST' } })] }),
        subscribe: (args) => eventResults(args, () => options.context(res, lastEventId), options.record, ids),
        onNext: (_context, _request, result) => ({
          ...result,
          ...(result.errors ? { errors: result.errors.map((error) => mask(error.toJSON(), error)) as unknown as GraphQLError[] } : {}),
        }),
      });
      const [body, init] = await handler({
        method: req.method,
        url: req.url,
        headers: { get: (key) => req.header(key) },
        body: req.body as Record<string, unknown>,
        raw: req,
        context: undefined,
      });
      res.status(init.status).set(init.headers ?? {});
      if (typeof body === 'string' || body === null) {
        res.end(body ?? undefined);
        return;
      }
      res.flushHeaders();
      // A client gone ends the operation (graphql-sse returns its subscription's iterator), also one
      // gone while the subscription was being set up, before this listener existed.
      const endOperation = () => void body.return(undefined);
      if (res.closed || req.socket.destroyed) endOperation();
      else res.on('close', endOperation);
      try {
        for await (const message of body) {
          const id = message.startsWith('event: next') ? ids.shift() : null;
          res.write(id ? `id: ${id}\n${message}` : message);
        }
      } catch (error) {
        // The headers are gone: the failure can only be told as the stream's last event.
        const formatted = mask({ message: 'Unexpected error' }, error);
        res.write(`event: next\ndata: ${JSON.stringify({ errors: [formatted] })}\n\nevent: complete\ndata:\n\n`);
      }
      res.end();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The subscription's results, each event executed as graphql-js would (the event as root value),
 * but with a context of its own whose reads are recorded before its result is handed on.
 */
async function eventResults<Context extends BaseContext>(
  args: ExecutionArgs,
  contextOfEvent: () => Promise<Context>,
  record: (context: Context) => Promise<void>,
  ids: (string | null)[],
): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  let ended = false;
  const end = async () => {
    ended = true;
    await events.return?.();
  };
  const results: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => results,
    async next() {
      if (ended) return { done: true, value: undefined };
      const event = await events.next();
      if (event.done) return { done: true, value: undefined };
      const context = await contextOfEvent();
      const result = await execute({ ...args, rootValue: event.value, contextValue: context });
      try {
        await record(context);
      } catch (error) {
        await end();
        ids.push(null);
        // Codeless: masked as "Unexpected error" and logged in full with the request id.
        return { done: false, value: { errors: [new GraphQLError('The access record could not be written: the data read is withheld.', { originalError: error as Error })] } };
      }
      // An event that failed carries no id: a client resuming from its Last-Event-ID gets it again.
      const eventId = (event.value as NamedSourceEvent).eventId;
      ids.push(typeof eventId === 'string' && !result.errors?.length ? eventId : null);
      return { done: false, value: result };
    },
    async return() {
      await end();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await end();
      throw error;
    },
  };
  return results;
}
