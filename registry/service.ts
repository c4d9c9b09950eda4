import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { diff } from '@graphql-inspector/core';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
import { createLocalJWKSet } from 'jose';
import { signAssertion, USAGE_AUDIENCE, verifyAssertion } from '../lib/assertions.js';
import type { Caller } from '../lib/caller.js';
import { jsonBody } from '../lib/http.js';
import type { KeySet } from '../lib/keys.js';
import type { Logger } from '../lib/logger.js';
import { supergraphChannel, type SharedStore } from '../lib/redis.js';
import type { SignIn } from '../lib/signIn.js';
import { supergraphIdOf } from '../schema/compose.js';
import { apiSchemaOf, checkProposal, contractOperations, FIELD_TAKEN, type CheckReport, type KnownOperation } from './check.js';
import type { RegistryStore, UsageReport, VersionRecord } from './store.js';

/** The scope an agency's credential needs to publish or roll back the subgraphs it owns. */
export const PUBLISH_SCOPE = 'schema:publish';

export interface RegistryDeps {
  store: RegistryStore;
  shared: SharedStore;
  /** Put before the notice channel's name, as before every key. */
  keyPrefix: string;
  /** Verifies the publishers' tokens (agencies' services and officials). */
  signIn: SignIn;
  /** The gateway's keys: the registry asks a subgraph for its `_service { sdl }` as the gateway would. */
  gatewayKeys: KeySet;
  /** The contract's folder: its operations are checked on every change. */
  contractFolder: string;
  /** The URL the registry reaches a subgraph at, from its routing URL (overridden as the gateway's). */
  reach: (subgraph: string, routingUrl: string) => string;
  /** How far back recorded traffic counts for a check, in days. */
  usageWindowDays: number;
  logger: Logger;
}

/** A refusal the API answers with its status and a stable code. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly report?: CheckReport,
  ) {
    super(message);
  }
}

/**
 * The registry's HTTP API: every verb of `npm run schema` (check, publish, history, diff, rollback),
 * the supergraph gateways serve, and the usage gateways report. Answers are JSON; refusals are
 * `{ error: { code, message }, report? }` with a 4xx status.
 */
export function registryApp(deps: RegistryDeps): express.Express {
  const { store, logger } = deps;
  const gatewayKeys = createLocalJWKSet(deps.gatewayKeys.publicJwks);
  const app = express();
  app.disable('x-powered-by');
  app.use(...jsonBody());

  const route = (handler: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next) => {
    handler(req, res).catch(next);
  };

  app.get('/health', route(async (_req, res) => {
    const supergraph = await store.latestSupergraph();
    res.status(supergraph ? 200 : 503).json({ status: supergraph ? 'ok' : 'empty', supergraphVersion: supergraph?.version ?? null, redis: deps.shared.state() });
  }));

  app.get('/supergraph', route(async (_req, res) => {
    const supergraph = await store.latestSupergraph();
    if (!supergraph) throw new Refusal(503, 'NO_SUPERGRAPH', 'Nothing has been published yet.');
    res.set('cache-control', 'no-store').json({ id: supergraph.id, version: supergraph.version, sdl: supergraph.sdl });
  }));

  app.get('/subgraphs', route(async (_req, res) => {
    res.json({ subgraphs: (await store.current()).map(summary) });
  }));

  app.post('/subgraphs/:name/check', route(async (req, res) => {
    const { sdl, routingUrl } = proposal(req);
    const current = await store.current();
    const url = routingUrl ?? currentOf(current, subgraphOf(req))?.routingUrl;
    if (!url) throw new Refusal(400, 'BAD_REQUEST', `${subgraphOf(req)} is new: say where the gateway would reach it ("routingUrl", --url).`);
    res.json(await check(subgraphOf(req), sdl, url, current));
  }));

  app.post('/subgraphs/:name/publish', route(async (req, res) => {
    const publisher = await publisherOf(req);
    const { sdl, routingUrl, reason, force } = proposal(req, { needsReason: true });
    res.status(201).json(await publish(subgraphOf(req), sdl, routingUrl, reason!, force, publisher));
  }));

  app.post('/subgraphs/:name/rollback', route(async (req, res) => {
    const publisher = await publisherOf(req);
    const body = bodyOf<{ version: unknown; reason: unknown; force: unknown }>(req);
    if (!Number.isInteger(body.version)) throw new Refusal(400, 'BAD_REQUEST', 'Say which version to go back to: "version" must be a whole number.');
    const reason = reasonOf(body.reason);
    const target = await store.version(subgraphOf(req), body.version as number);
    if (!target) throw new Refusal(404, 'NOT_FOUND', `${req.params.name} has no version ${body.version}.`);
    res.status(201).json(await publish(subgraphOf(req), target.sdl, target.routingUrl, `rollback to version ${target.version}: ${reason}`, body.force === true, publisher));
  }));

  app.get('/subgraphs/:name/history', route(async (req, res) => {
    const history = await store.history(subgraphOf(req));
    if (!history.length) throw new Refusal(404, 'NOT_FOUND', `No subgraph is called ${req.params.name}.`);
    res.json({ subgraph: req.params.name, versions: history.map(({ sdl: _sdl, ...version }) => version) });
  }));

  app.get('/subgraphs/:name/diff', route(async (req, res) => {
    const [from, to] = [Number(req.query.from), Number(req.query.to)];
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Refusal(400, 'BAD_REQUEST', 'Give two versions: ?from=<n>&to=<n>.');
    const [older, newer] = await Promise.all([store.version(subgraphOf(req), from), store.version(subgraphOf(req), to)]);
    if (!older || !newer) throw new Refusal(404, 'NOT_FOUND', `${req.params.name} has no version ${!older ? from : to}.`);
    const changes = await subgraphDifferences(older.sdl, newer.sdl);
    res.json({ subgraph: req.params.name, from, to, changes: changes.map((change) => ({ criticality: change.criticality.level, type: change.type, message: change.message, coordinate: change.path ?? null })) });
  }));

  app.post('/usage', route(async (req, res) => {
    try {
      await verifyAssertion(req.header('authorization'), gatewayKeys, USAGE_AUDIENCE);
    } catch (error) {
      throw new Refusal(401, 'UNAUTHENTICATED', `Usage is reported by gateways only: ${(error as Error).message}`);
    }
    const operations = bodyOf<{ operations: unknown }>(req).operations;
    if (!Array.isArray(operations) || !operations.every(isUsageReport)) throw new Refusal(400, 'BAD_REQUEST', 'Send { "operations": [{ "signature", "name", "coordinates", "count" }] }.');
    await store.recordUsage(operations, deps.usageWindowDays);
    res.status(204).end();
  }));

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof Refusal) {
      res.status(error.status).json({ error: { code: error.code, message: error.message }, ...(error.report ? { report: error.report } : {}) });
      return;
    }
    const requestId = randomUUID();
    logger.error({ err: error, requestId }, 'registry request failed');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: `Unexpected error (request ${requestId}).` } });
  });
  return app;

  /** The proposal's check against the current versions, the contract and the traffic of the window. */
  async function check(subgraph: string, sdl: string, routingUrl: string | undefined, current: VersionRecord[], operations?: KnownOperation[]): Promise<CheckReport> {
    return checkProposal({ subgraph, sdl, routingUrl, current, operations: operations ?? (await knownOperations()), windowDays: deps.usageWindowDays });
  }

  /** The operations a check weighs: the contract's (on the schema served now) and the traffic of the window. */
  async function knownOperations(): Promise<KnownOperation[]> {
    const served = await store.latestSupergraph();
    const contract: KnownOperation[] = served ? contractOperations(deps.contractFolder, apiSchemaOf(served.sdl)) : [];
    return [...contract, ...(await store.usedWithin(deps.usageWindowDays))];
  }

  async function publish(subgraph: string, sdl: string, requestedUrl: string | undefined, reason: string, force: boolean, publisher: Publisher) {
    // What needs the network or other reads happens before the publish's lock: an embedded database
    // has one connection, which the transaction holds, and a slow subgraph must not hold every publish.
    const current = await store.current();
    const before = currentOf(current, subgraph);
    const routingUrl = requestedUrl ?? before?.routingUrl;
    if (!routingUrl) throw new Refusal(400, 'BAD_REQUEST', `${subgraph} is new: say where the gateway reaches it ("routingUrl").`);
    const owner = before ? before.agency : ownerOf(sdl);
    if (publisher.agency !== owner) throw new Refusal(403, 'FORBIDDEN', `${subgraph} is ${owner ?? 'nobody'}'s subgraph: only ${owner ?? 'its agency'} may publish it, not ${publisher.agency}.`);
    if (ownerOf(sdl) !== owner) throw new Refusal(403, 'FORBIDDEN', `${subgraph}'s SDL must name its owner, @contact(name: "${owner}"), not ${ownerOf(sdl) ? `"${ownerOf(sdl)}"` : 'nobody'}: a subgraph changes hands only on purpose.`);
    const operations = await knownOperations();
    // Refused for what it is before the subgraph is even asked; asked before the lock is taken.
    refuseUnlessPublishable(subgraph, await check(subgraph, sdl, routingUrl, current, operations), force);
    await expectServed(subgraph, routingUrl, sdl);

    const { outcome, written } = await store.publish(async (locked) => {
      if (currentOf(locked, subgraph)?.version !== before?.version) {
        throw new Refusal(409, 'CONFLICT', `${subgraph} was published by someone else meanwhile (version ${currentOf(locked, subgraph)?.version}): check again, then publish.`);
      }
      // The others may have moved since: composed again, with them as they are under the lock.
      const report = refuseUnlessPublishable(subgraph, await check(subgraph, sdl, routingUrl, locked, operations), force);
      const supergraph = { id: supergraphIdOf(report.supergraphSdl!), sdl: report.supergraphSdl! };
      return {
        outcome: { report, supergraphId: supergraph.id },
        write: { subgraph, sdl, routingUrl, agency: owner!, publishedBy: publisher.id, reason, forced: !report.ok, changes: report.changes, supergraph },
      };
    });
    const version = written!;
    logger.info({ subgraph, version: version.version, supergraphVersion: version.supergraphVersion, publishedBy: publisher.id, forced: !outcome.report.ok }, 'subgraph published');
    await notify(outcome.supergraphId, version.supergraphVersion);
    return { subgraph, version: version.version, supergraphVersion: version.supergraphVersion, report: outcome.report };
  }

  function refuseUnlessPublishable(subgraph: string, report: CheckReport, force: boolean): CheckReport {
    if (!report.supergraphSdl) throw new Refusal(422, 'COMPOSITION_FAILED', `${subgraph} does not compose with the other subgraphs: nothing was published.`, report);
    const taken = report.changes.filter((change) => change.type === FIELD_TAKEN);
    // Not even --force: another agency's fields are theirs to give up.
    if (taken.length) throw new Refusal(403, 'FORBIDDEN', `${subgraph} would take fields other agencies' subgraphs answer (${taken.map((change) => change.coordinate).join(', ')}): nothing was published.`, report);
    if (!report.ok && !force) throw new Refusal(422, 'CHECK_FAILED', `${subgraph}'s change would break client operations: nothing was published (--force publishes anyway, on the record).`, report);
    return report;
  }

  /**
   * Gateways fetch the new supergraph at once; those that miss the notice (Redis down) catch up by
   * polling. The publish is done whatever happens here: a failure is logged, never answered.
   */
  async function notify(id: string, version: number): Promise<void> {
    const redis = deps.shared.redis;
    if (!redis) return;
    await deps.shared.failOpen(() => redis.publish(supergraphChannel(deps.keyPrefix), JSON.stringify({ id, version })), 0);
  }

  /**
   * A schema never goes live before its code: the subgraph at its routing URL must already serve all
   * of it. It may serve more (a field being retired, a rollback's newer code): publishing less than
   * the code serves is safe, only something the code lacks or has otherwise is not.
   */
  async function expectServed(subgraph: string, routedTo: string, sdl: string): Promise<void> {
    const routingUrl = deps.reach(subgraph, routedTo);
    let served: string;
    try {
      const assertion = await signAssertion(deps.gatewayKeys, subgraph, { caller: null, purpose: null, requestId: `registry-${randomUUID()}` });
      const response = await fetch(routingUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${assertion}` },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
      if (!response.ok || typeof body.data?._service?.sdl !== 'string') throw new Error(`HTTP ${response.status}`);
      served = body.data._service.sdl;
    } catch (error) {
      throw new Refusal(422, 'SUBGRAPH_UNREACHABLE', `${subgraph} at ${routingUrl} did not say what it serves (${(error as Error).message}): deploy it first, then publish.`);
    }
    const differences = (
      await subgraphDifferences(served, sdl).catch((error: Error) => {
        throw new Refusal(422, 'SUBGRAPH_MISMATCH', `${subgraph} at ${routingUrl} serves an SDL that does not build (${error.message.split('\n')[0]}).`);
      })
    ).filter((change) => !LESS_THAN_SERVED.test(change.type));
    if (differences.length) {
      const first = differences.slice(0, 5).map((change) => change.message).join('; ');
      throw new Refusal(422, 'SUBGRAPH_MISMATCH', `${subgraph} at ${routingUrl} does not serve this SDL (${differences.length} differences: ${first}): deploy it first, then publish.`);
    }
  }

  async function publisherOf(req: Request): Promise<Publisher> {
    let caller: Caller | null;
    try {
      caller = await deps.signIn.callerOf(req.header('authorization'));
    } catch (error) {
      throw new Refusal(401, 'UNAUTHENTICATED', (error as Error).message);
    }
    if (!caller) throw new Refusal(401, 'UNAUTHENTICATED', 'Publishing needs your agency\'s credential: Authorization: Bearer <token>.');
    if (caller.kind === 'citizen') throw new Refusal(403, 'FORBIDDEN', 'Only an agency publishes subgraphs.');
    if (!caller.scopes.includes(PUBLISH_SCOPE)) throw new Refusal(403, 'FORBIDDEN', `Your credential lacks the ${PUBLISH_SCOPE} scope.`);
    return { id: caller.id, agency: caller.agency };
  }
}

/**
 * Changes from what a subgraph serves to what is published that only publish less of it, or word it
 * otherwise. Not an argument, input field or enum value left out: the gateway would then send less
 * than the subgraph requires, or receive what it does not know.
 */
const LESS_THAN_SERVED = /^(FIELD_REMOVED|TYPE_REMOVED)$|DESCRIPTION|DEPRECATION/;

interface Publisher {
  id: string;
  agency: string;
}

function summary({ sdl: _sdl, changes: _changes, ...version }: VersionRecord) {
  return version;
}

/** Subgraph names: what composition and environment variables take; `registry` is the registry's own audience. */
const SUBGRAPH_NAME = /^[a-z][a-z0-9_]{0,49}$/;

function subgraphOf(req: Request): string {
  const name = String(req.params.name);
  if (!SUBGRAPH_NAME.test(name) || name === 'registry') throw new Refusal(400, 'BAD_REQUEST', `"${name}" cannot name a subgraph: lower-case letters, digits and _, starting with a letter (and not "registry").`);
  return name;
}

/** The JSON body, or an empty one: Express leaves a body that is not JSON undefined. */
function bodyOf<T>(req: Request): Partial<T> {
  return (req.body ?? {}) as Partial<T>;
}

function currentOf(current: readonly VersionRecord[], subgraph: string): VersionRecord | undefined {
  return current.find((version) => version.name === subgraph);
}

function proposal(req: Request, options: { needsReason?: boolean } = {}): { sdl: string; routingUrl?: string; reason?: string; force: boolean } {
  const body = bodyOf<{ sdl: unknown; routingUrl: unknown; reason: unknown; force: unknown }>(req);
  if (typeof body.sdl !== 'string' || !body.sdl.trim()) throw new Refusal(400, 'BAD_REQUEST', 'Send the subgraph\'s SDL as "sdl".');
  if (body.routingUrl !== undefined && (typeof body.routingUrl !== 'string' || !URL.canParse(body.routingUrl))) throw new Refusal(400, 'BAD_REQUEST', '"routingUrl" must be a URL.');
  return { sdl: body.sdl, routingUrl: body.routingUrl as string | undefined, reason: options.needsReason ? reasonOf(body.reason) : undefined, force: body.force === true };
}

function reasonOf(reason: unknown): string {
  if (typeof reason !== 'string' || !reason.trim() || reason.length > 500) throw new Refusal(400, 'BAD_REQUEST', 'Say why, in 1 to 500 characters: "reason".');
  return reason.trim();
}

function isUsageReport(value: unknown): value is UsageReport {
  const report = value as UsageReport;
  return (
    typeof report === 'object' && report !== null && typeof report.signature === 'string' && /^[0-9a-f]{64}$/.test(report.signature) &&
    (report.name === null || typeof report.name === 'string') && Array.isArray(report.coordinates) && report.coordinates.every((c) => typeof c === 'string') &&
    Number.isInteger(report.count) && report.count > 0
  );
}

/** The agency a subgraph's SDL names as its owner: `extend schema @contact(name: "MTC")`. */
export function ownerOf(sdl: string): string | null {
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch {
    return null;
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_EXTENSION && definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    const contact = definition.directives?.find((directive) => directive.name.value === 'contact');
    const name = contact?.arguments?.find((argument) => argument.name.value === 'name')?.value;
    if (name?.kind === Kind.STRING) return name.value;
  }
  return null;
}

/** A subgraph SDL as a schema, federation's additions included, so that two SDLs compare by meaning, not by text. */
function subgraphSchema(sdl: string) {
  return buildSubgraphSchema(parse(sdl));
}

function subgraphDifferences(a: string, b: string) {
  return diff(subgraphSchema(a), subgraphSchema(b));
}

/** Whether two subgraph SDLs mean the same schema (descriptions included), whatever their layout. */
export async function sameSubgraphSchema(a: string, b: string): Promise<boolean> {
  return (await subgraphDifferences(a, b)).length === 0;
}
