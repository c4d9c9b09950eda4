import type { Request, RequestHandler, Response } from 'express';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { DELIBERATE_CODES, SUBGRAPH_ERROR, SUBGRAPH_UNAVAILABLE } from '../lib/errors.js';
import type { KeySet } from '../lib/keys.js';
import type { Logger } from '../lib/logger.js';
import { costRefusal, queryLimitRules, queryParseOptions, type QueryLimits } from '../lib/queryLimits.js';
import type { SignIn } from '../lib/signIn.js';
import { contextBuilder, type Admission, type GatewayContext } from './context.js';
import { assertion } from './traffic/assertion.js';
import { chainTraffic } from './traffic/chain.js';
import { requestId } from './traffic/requestId.js';

/**
 * Subscriptions over Server-Sent Events (the graphql-sse protocol, distinct connections mode).
 * @apollo/gateway plans queries and mutations only, so a subscription is not planned: it must have one
 * root field, and the subgraph that owns that field (the supergraph's `join__type`/`join__field`)
 * executes the whole operation and streams its results, which are relayed here event by event, each
 * with its `id:`. The gateway still signs in the caller, checks the operation against the API schema,
 * applies the rate limits, signs the assertion and names the subgraph when it fails.
 */
export interface StreamOptions {
  signIn: SignIn;
  logger: Logger;
  /** The rate limits (see rateLimit.ts): opening a stream spends one request. */
  admit?: Admission;
  /** Signs the assertion sent with the operation, as for every subgraph fetch. */
  keys: KeySet;
  limits: QueryLimits;
  /** The schema served now, or null while none is (starting, stopped). */
  served(): ServedSchema | null;
}

/** What a stream needs of the supergraph being served. */
export interface ServedSchema {
  apiSchema: GraphQLSchema;
  /** Which subgraph owns each subscription field, and what it resolves (see `streamRouting`). */
  routing: StreamRouting;
  /** The URL the gateway routes to a subgraph's /graphql, overrides applied. */
  urlOf(subgraph: string): string | undefined;
}

/** The keep-alive comment: proxies close connections that stay silent. graphql-sse's own interval. */
const PING_MS = 12_000;

/** A Last-Event-ID is passed to a subgraph as it came, when it is a short, plain one. */
const LAST_EVENT_ID = /^[\w.:-]{1,128}$/;

/** A request refused before its stream opens: answered as JSON, with its status and code. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Who resolves what, read from a supergraph's `join__*` directives: what a stream needs of it. */
export interface StreamRouting {
  /** Subscription field name -> the one subgraph that resolves it (a field several could resolve is left out: whose events would a client get?). */
  owners: ReadonlyMap<string, string>;
  /** Whether `subgraph` resolves `type.field` itself: without another subgraph's fields (`requires`), and not as `external`. */
  resolves(subgraph: string, type: string, field: string): boolean;
}

type JoinDirectives = readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: { kind: string; value?: unknown } }[] }[] | undefined;

function joinArguments(directives: JoinDirectives, name: string): Map<string, unknown>[] {
  return (directives ?? []).filter((directive) => directive.name.value === name).map((directive) => new Map((directive.arguments ?? []).map((argument) => [argument.name.value, argument.value.value])));
}

/**
 * A field resolves in the graphs its `join__field`s name (not `external`, without `requires`), or,
 * without any, in every graph its type's `join__type`s name.
 */
export function streamRouting(coreSupergraphSdl: string, subscriptionType: string): StreamRouting {
  const document = parse(coreSupergraphSdl);
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = joinArguments(value.directives, 'join__graph')[0]?.get('name');
      if (typeof name === 'string') graphNames.set(value.name.value, name);
    }
  }
  const resolvers = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeGraphs = joinArguments(definition.directives, 'join__type').map((join) => String(join.get('graph')));
    for (const field of definition.fields ?? []) {
      const joins = joinArguments(field.directives, 'join__field');
      const graphs = joins.length ? joins.filter((join) => join.get('external') !== true && !join.get('requires')).map((join) => String(join.get('graph'))) : typeGraphs;
      resolvers.set(`${definition.name.value}.${field.name.value}`, new Set(graphs.flatMap((graph) => graphNames.get(graph) ?? [])));
    }
  }
  const owners = new Map<string, string>();
  for (const [coordinate, subgraphs] of resolvers) {
    const [type, field] = coordinate.split('.') as [string, string];
    if (type === subscriptionType && subgraphs.size === 1) owners.set(field, [...subgraphs][0]!);
  }
  return { owners, resolves: (subgraph, type, field) => resolvers.get(`${type}.${field}`)?.has(subgraph) ?? false };
}

/** The first field of `document` that `subgraph` does not resolve itself, as `Type.field`; null when it resolves them all. */
function foreignField(schema: GraphQLSchema, document: DocumentNode, routing: StreamRouting, subgraph: string): string | null {
  const typeInfo = new TypeInfo(schema);
  let foreign: string | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (foreign || !parent || node.name.value.startsWith('__')) return;
        if (!routing.resolves(subgraph, parent.name, node.name.value)) foreign = `${parent.name}.${node.name.value}`;
      },
    }),
  );
  return foreign;
}

/** The names of the root fields an operation selects, through its fragments. */
function rootFieldNames(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return rootFieldNames(fragment.selectionSet, fragments, seen);
  });
}

/** The operation a request asks for, checked against the served schema, and the subgraph that will run it. */
function operationOf(req: Request, schema: ServedSchema, limits: QueryLimits): { subgraph: string; body: string } {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Refusal(400, 'BAD_REQUEST', 'Send one operation as a JSON object: { "query": "subscription { ... }" }.');
  const { query, variables, operationName, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string') throw new Refusal(400, 'BAD_REQUEST', 'The request has no "query" string.');
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) throw new Refusal(400, 'BAD_REQUEST', '"variables" must be an object.');
  if (operationName != null && typeof operationName !== 'string') throw new Refusal(400, 'BAD_REQUEST', '"operationName" must be a string.');
  let document: DocumentNode;
  try {
    document = parse(query, queryParseOptions(limits));
  } catch (error) {
    throw new Refusal(400, 'GRAPHQL_PARSE_FAILED', error instanceof GraphQLError ? error.message : 'The query does not parse.');
  }
  const problems = validate(schema.apiSchema, document, [...specifiedRules, ...queryLimitRules(limits)]);
  if (problems.length) throw new Refusal(400, 'GRAPHQL_VALIDATION_FAILED', problems.map((problem) => problem.message).join(' '));
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) throw new Refusal(400, 'OPERATION_RESOLUTION_FAILURE', operationName ? `The document has no operation "${operationName}".` : 'Name the operation to run: the document has several.');
  if (operation.operation !== 'subscription') throw new Refusal(400, 'BAD_REQUEST', `Only subscriptions are served at /graphql/stream: send a ${operation.operation} to /graphql.`);
  // Each event runs the whole selection again: what /graphql would refuse as too costly, this refuses too.
  const tooCostly = costRefusal(schema.apiSchema, document, operation, variables as Record<string, unknown> | undefined, limits.maxCost);
  if (tooCostly) throw new Refusal(400, 'GRAPHQL_VALIDATION_FAILED', tooCostly.error.message);
  const fragments = new Map(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])));
  const [field] = new Set(rootFieldNames(operation.selectionSet, fragments));
  const subgraph = field && schema.routing.owners.get(field);
  if (!subgraph) throw new Refusal(400, 'BAD_REQUEST', `No one subgraph serves Subscription.${field ?? ''}.`);
  // The owner runs the whole operation: it cannot fetch another subgraph's fields for its events.
  const foreign = foreignField(schema.apiSchema, document, schema.routing, subgraph);
  if (foreign) throw new Refusal(400, 'GRAPHQL_VALIDATION_FAILED', `${foreign} cannot be followed live: the ${subgraph} subgraph, which serves this subscription, does not resolve it alone.`);
  return { subgraph, body: JSON.stringify({ query, variables, operationName, extensions }) };
}

/** One parsed SSE message: its event, data and id fields. */
interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * The messages of an event stream (the HTML standard's format): fields up to a blank line, comments
 * (keep-alive pings) skipped. graphql-sse's own parser drops `id:`, the one field relayed here besides
 * the event and its data.
 */
async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffered = '';
  let message: SseMessage = { event: '', data: '', id: null };
  let hasData = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + (buffered.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (message.event) yield message;
        message = { event: '', data: '', id: null };
        hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') message.event = value;
      else if (field === 'id') message.id = value;
      else if (field === 'data') {
        message.data = hasData ? `${message.data}\n${value}` : value;
        hasData = true;
      }
    }
  }
}

/** A subgraph's errors as the client sees them: naming it, and with a deliberate code or SUBGRAPH_ERROR (its message logged). */
function namedErrors(data: string, subgraph: string, logger: Logger): string {
  const payload = JSON.parse(data) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  if (!payload.errors) return data;
  payload.errors = payload.errors.map((error) => {
    const code = error.extensions?.code;
    if (typeof code === 'string' && DELIBERATE_CODES.has(code)) return { ...error, extensions: { ...error.extensions, serviceName: subgraph } };
    logger.error({ subgraph, error }, 'subgraph streamed an error without a deliberate code');
    return { message: `The ${subgraph} subgraph could not answer this part.`, extensions: { code: SUBGRAPH_ERROR, serviceName: subgraph } };
  });
  return JSON.stringify(payload);
}

function writeEvent(res: Response, event: 'next' | 'complete', data: string, id: string | null = null): void {
  res.write(`${id !== null ? `id: ${id}\n` : ''}event: ${event}\ndata:${data ? ` ${data}` : ''}\n\n`);
}

function unavailable(subgraph: string, why: string): string {
  return JSON.stringify({ errors: [{ message: `The ${subgraph} subgraph ${why}; the stream ends here.`, extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: subgraph } }] });
}

/**
 * `POST /graphql/stream`. Refusals before the stream opens are JSON with a code and a 4xx (401 for a
 * bad token or none: a stream is always someone's); once open, a subgraph failure is the stream's
 * last `next` (SUBGRAPH_UNAVAILABLE, naming it), then `complete`. A client gone aborts the subgraph's stream.
 */
export function streamRoute(options: StreamOptions): { handler: RequestHandler; stop(): void } {
  const { logger } = options;
  const buildContext = contextBuilder({ signIn: options.signIn, logger, admit: options.admit });
  const send = chainTraffic([requestId(), assertion(options.keys)]);
  const open = new Set<AbortController>();

  const handler: RequestHandler = async (req, res) => {
    let context: GatewayContext;
    let operation: { subgraph: string; body: string };
    let url: string;
    try {
      const schema = options.served();
      if (!schema) throw new Refusal(503, 'SERVICE_UNAVAILABLE', 'The gateway is not serving yet.');
      if (req.method !== 'POST') throw new Refusal(405, 'BAD_REQUEST', 'Open a stream with POST.', { allow: 'POST' });
      if (!/\btext\/event-stream\b/.test(req.header('accept') ?? '')) throw new Refusal(406, 'BAD_REQUEST', 'A stream is sent as text/event-stream: say so in the accept header.');
      context = await buildContext({ req, res }).catch((error: unknown) => {
        const extensions = (error as { extensions?: { code?: unknown; http?: { status?: number; headers?: Map<string, string> } } }).extensions;
        if (typeof extensions?.code !== 'string') throw error;
        throw new Refusal(extensions.http?.status ?? 400, extensions.code, (error as Error).message, Object.fromEntries(extensions.http?.headers ?? []));
      });
      if (!context.caller) throw new Refusal(401, 'UNAUTHENTICATED', 'Sign in to follow a stream: it is always about someone.', { 'www-authenticate': 'Bearer' });
      operation = operationOf(req, schema, options.limits);
      const graphqlUrl = schema.urlOf(operation.subgraph);
      if (!graphqlUrl) throw new Refusal(503, 'SUBGRAPH_UNAVAILABLE', `The ${operation.subgraph} subgraph has no address.`);
      url = `${graphqlUrl.replace(/\/+$/, '')}/stream`;
    } catch (error) {
      if (!(error instanceof Refusal)) {
        logger.error({ err: error }, 'a stream could not be opened');
        res.status(500).json({ errors: [{ message: 'Unexpected error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        return;
      }
      res.status(error.status).set(error.headers).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
      return;
    }

    const { subgraph } = operation;
    const abort = new AbortController();
    open.add(abort);
    res.on('close', () => abort.abort());
    // Gone while it was being signed in: 'close' has been and gone.
    if (res.closed) abort.abort();
    const lastEventId = req.header('last-event-id');
    let ping: NodeJS.Timeout | undefined;
    // The client's stream opens once the subgraph's has (or could not): a client told it is open is followed from then on.
    const openToClient = () => {
      res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      // Some browsers show no stream until its first bytes.
      res.write(':\n\n');
      ping = setInterval(() => res.write(':\n\n'), PING_MS);
    };
    let answered = false;
    try {
      const upstream = await send({
        subgraph,
        url,
        context,
        init: {
          method: 'POST',
          body: operation.body,
          signal: abort.signal,
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(lastEventId && LAST_EVENT_ID.test(lastEventId) ? { 'last-event-id': lastEventId } : {}),
          },
        },
      });
      answered = true;
      openToClient();
      if (!upstream.ok || !upstream.body || !(upstream.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await upstream.body?.cancel().catch(() => {});
        context.logger.error({ subgraph, status: upstream.status }, 'subgraph refused a stream');
        writeEvent(res, 'next', unavailable(subgraph, `answered HTTP ${upstream.status}`));
        writeEvent(res, 'complete', '');
        return;
      }
      for await (const message of sseMessages(upstream.body)) {
        if (message.event === 'complete') {
          writeEvent(res, 'complete', '');
          return;
        }
        if (message.event === 'next') writeEvent(res, 'next', namedErrors(message.data, subgraph, context.logger), message.id);
      }
      throw new Error('the subgraph ended the stream without completing it');
    } catch (error) {
      if (abort.signal.aborted) return;
      if (!res.headersSent) openToClient();
      context.logger.error({ err: error, subgraph }, 'subgraph stream failed');
      writeEvent(res, 'next', unavailable(subgraph, answered ? 'stopped answering' : 'could not be reached'));
      writeEvent(res, 'complete', '');
    } finally {
      clearInterval(ping);
      open.delete(abort);
      res.end();
    }
  };
  return {
    handler,
    stop() {
      for (const abort of open) abort.abort();
    },
  };
}
