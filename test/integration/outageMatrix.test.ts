import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  visit,
  type ConstArgumentNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeaders, citizenToken, officialToken, postRaw, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';
import { ANA, CARMEN, JORGE, LUIS } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../subgraphs/shared/config.js';
import { accountabilityOperation, CONTRACT_DOCUMENT, DESK_SOURCE, sendContractOperation } from './support.js';

/**
 * Every contract operation × every agency down: the fields the other agencies own arrive, equal to
 * the healthy answer, and every error names the missing agency. Who owns a field is read from the
 * supergraph's join__field / join__type directives, never written down here, so a field that moves to
 * another subgraph moves in this test too.
 */

const SUPERGRAPH = buildSchema(readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'), { assumeValidSDL: true });

/** join__Graph's enum values (IDENTITY, ...) by the subgraph names they stand for. */
const GRAPH_NAMES: ReadonlyMap<string, string> = new Map(
  (SUPERGRAPH.getType('join__Graph') as GraphQLEnumType).getValues().map((value) => {
    const name = value.astNode?.directives?.find((directive) => directive.name.value === 'join__graph')?.arguments?.find((arg) => arg.name.value === 'name')?.value;
    return [value.name, name?.kind === Kind.STRING ? name.value : value.name];
  }),
);

function argument(args: readonly ConstArgumentNode[] | undefined, name: string): string | boolean | undefined {
  const value = args?.find((arg) => arg.name.value === name)?.value;
  if (value?.kind === Kind.ENUM) return GRAPH_NAMES.get(value.value);
  if (value?.kind === Kind.STRING || value?.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

/** The subgraphs that resolve `parent.field`, and the fields its `@requires` reads in each. */
function joins(schema: GraphQLSchema, parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): { graphs: Set<string>; requires: Map<string, string> } {
  const requires = new Map<string, string>();
  const graphs = new Set<string>();
  for (const directive of field.astNode?.directives ?? []) {
    if (directive.name.value !== 'join__field' || argument(directive.arguments, 'external') === true) continue;
    const graph = argument(directive.arguments, 'graph') as string | undefined;
    if (!graph) continue;
    graphs.add(graph);
    const fieldSet = argument(directive.arguments, 'requires');
    if (typeof fieldSet === 'string') requires.set(graph, fieldSet);
  }
  if (graphs.size === 0) {
    // No join__field: every subgraph that defines the type resolves the field (keys, value types).
    for (const directive of schema.getType(parent.name)?.astNode?.directives ?? []) {
      if (directive.name.value === 'join__type') graphs.add(argument(directive.arguments, 'graph') as string);
    }
  }
  return { graphs, requires };
}

/** Every subgraph whose fields a `@requires` field set reads, nested fields included. */
function requiredGraphs(parent: GraphQLCompositeType, selectionSet: SelectionSetNode, into: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !isObjectType(parent)) continue;
    const field = parent.getFields()[selection.name.value];
    if (!field) continue;
    for (const graph of joins(SUPERGRAPH, parent, field).graphs) into.add(graph);
    const type = getNamedType(field.type);
    if (selection.selectionSet && isCompositeType(type)) requiredGraphs(type, selection.selectionSet, into);
  }
}

/**
 * The subgraph that answers `field` under a parent answered by `parentOwner`: the parent's own when it
 * can (a key, a value type), else the one subgraph that resolves it; and every subgraph its answer
 * depends on, through `@requires`.
 */
function ownership(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, parentOwner: string | null): { owner: string; dependsOn: Set<string> } {
  const { graphs, requires } = joins(SUPERGRAPH, parent, field);
  const owner = parentOwner && graphs.has(parentOwner) ? parentOwner : [...graphs][0];
  if (!owner || (graphs.size > 1 && !(parentOwner && graphs.has(parentOwner)))) {
    throw new Error(`${parent.name}.${field.name} is resolved by ${[...graphs].join(', ') || 'nobody'}: the test cannot tell which answers it.`);
  }
  const dependsOn = new Set([owner]);
  const fieldSet = requires.get(owner);
  if (fieldSet) requiredGraphs(parent, (parse(`{ ${fieldSet} }`).definitions[0] as OperationDefinitionNode).selectionSet, dependsOn);
  return { owner, dependsOn };
}

interface Comparison {
  /** Paths compared and found equal to the healthy answer (none owned by the agency down). */
  compared: string[];
  /** Non-null fields in the healthy answer that the agency down owns or feeds. */
  lost: string[];
}

/**
 * Walks `selectionSet` over the healthy and the outage answers side by side; every field that neither
 * the agency down answers nor depends on must be as healthy.
 */
function compare(
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  healthy: Record<string, unknown>,
  outage: Record<string, unknown>,
  down: string,
  context: { parentOwner: string | null; dependsOn: ReadonlySet<string>; path: string },
  result: Comparison,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) throw new Error(`The matrix reads fields only; ${context.path} has a ${selection.kind}.`);
    if (!isObjectType(parent)) throw new Error(`${context.path} is abstract: the matrix reads object types only.`);
    const key = selection.alias?.value ?? selection.name.value;
    const path = `${context.path}.${key}`;
    const field = parent.getFields()[selection.name.value];
    if (selection.name.value === '__typename' || !field) continue;
    const { owner, dependsOn } = ownership(parent, field, context.parentOwner);
    const all = new Set([...context.dependsOn, ...dependsOn]);
    const healthyValue = healthy[key];
    const outageValue = outage?.[key];
    if (all.has(down)) {
      if (healthyValue !== null && healthyValue !== undefined) result.lost.push(path);
      continue;
    }
    const type = getNamedType(field.type);
    expect(outageValue === null, `${path} (${owner}'s) with ${down} down`).toBe(healthyValue === null);
    if (!selection.selectionSet || !isCompositeType(type) || healthyValue === null) {
      expect(outageValue, `${path} (${owner}'s) with ${down} down`).toEqual(healthyValue);
      result.compared.push(path);
      continue;
    }
    const healthyItems = Array.isArray(healthyValue) ? healthyValue : [healthyValue];
    const outageItems = Array.isArray(outageValue) ? outageValue : [outageValue];
    expect(outageItems.length, `${path} (${owner}'s) with ${down} down`).toBe(healthyItems.length);
    result.compared.push(path);
    healthyItems.forEach((item, index) =>
      compare(type, selection.selectionSet!, item as Record<string, unknown>, outageItems[index] as Record<string, unknown>, down, { parentOwner: owner, dependsOn: all, path: Array.isArray(healthyValue) ? `${path}[${index}]` : path }, result),
    );
  }
}

/** One contract operation as the matrix sends it: who asks, with what. */
interface Case {
  operation: string;
  /** Its variables, or how to find them on the platform (a case number the seed drew). */
  variables?: Record<string, unknown> | ((platform: Platform) => Promise<Record<string, unknown>>);
  dni?: string;
  /** An official asking instead of a citizen. */
  official?: string;
  /** The operation's text when it is not the portal contract's. */
  source?: string;
}

/** Carmen's revalidation, an MTC case that Pedro may review. */
async function carmensRevalidation(platform: Platform): Promise<Record<string, unknown>> {
  const { rows } = await platform.subgraphs.portal.db.query<{ id: string }>(
    `SELECT id FROM applications WHERE dni = $1 AND procedure_slug = 'revalidar-licencia-de-conducir' ORDER BY id LIMIT 1`,
    [CARMEN],
  );
  return { id: rows[0]!.id };
}

/**
 * Every query the gateway serves of the three contracts, and the idempotent StartApplication. The
 * other changes are one-shot (MoveApplication, CancelApplication: only the portal takes part in them)
 * and MyApplicationUpdates is a stream (liveUpdates.test.ts takes the portal away under it).
 * WhoSawMyData comes last: the outage answers are asked in reverse order, so that the page of Jorge's
 * access record it reads holds the same reads in both.
 */
const CASES: Case[] = [
  { operation: 'SearchProcedures', variables: { text: 'licencia', first: 5 } },
  { operation: 'WhatDoINeed', variables: { slug: 'revalidar-licencia-de-conducir' }, dni: LUIS },
  { operation: 'WhatDoINeed', variables: { slug: 'solicitar-devolucion-de-renta' }, dni: JORGE },
  { operation: 'WhereIsMyApplication', dni: CARMEN },
  { operation: 'MyRecords', dni: JORGE },
  // The same idempotency key: the outage's answer is the healthy one's application, not a second.
  { operation: 'StartApplication', variables: { input: { procedureSlug: 'revalidar-licencia-de-conducir', channel: 'ONLINE', idempotencyKey: `matrix-${process.pid}` } }, dni: ANA },
  { operation: 'MyQueue', variables: { first: 50 }, official: 'MTC-0001', source: DESK_SOURCE },
  { operation: 'ReviewApplication', variables: carmensRevalidation, official: 'MTC-0001', source: DESK_SOURCE },
  { operation: 'WhoSawMyData', variables: { first: 50 }, dni: JORGE, source: accountabilityOperation('WhoSawMyData') },
];

/** `document` with every fragment spread replaced by the fragment's fields: the walk reads fields only. */
function inlineFragments(document: DocumentNode): DocumentNode {
  const fragments = new Map(document.definitions.filter((node): node is FragmentDefinitionNode => node.kind === Kind.FRAGMENT_DEFINITION).map((node) => [node.name.value, node]));
  const inlined = (selections: SelectionSetNode): SelectionSetNode => ({
    ...selections,
    selections: selections.selections.flatMap((selection) => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) return inlined(fragments.get(selection.name.value)!.selectionSet).selections;
      return selection.kind === Kind.FIELD && selection.selectionSet ? [{ ...selection, selectionSet: inlined(selection.selectionSet) }] : [selection];
    }),
  });
  return visit(document, { OperationDefinition: (operation) => ({ ...operation, selectionSet: inlined(operation.selectionSet) }) });
}

const DOCUMENTS = new Map(CASES.map(({ operation, source }) => [operation, inlineFragments(source ? parse(source) : CONTRACT_DOCUMENT)]));

/** Sends a case with `given` variables (found on the platform while it is healthy). */
async function send(platform: Platform, { operation, dni, official, source }: Case, given: Record<string, unknown>): Promise<GraphQLResponse> {
  const token: string | Credentials | undefined = official ? await officialToken(official, undefined) : dni ? await citizenToken(dni) : undefined;
  if (!source) return sendContractOperation(platform.url, operation, given, token);
  return postRaw(platform.url, JSON.stringify({ query: source, operationName: operation, variables: given }), authHeaders(token));
}

function comparison(testCase: Case, healthy: GraphQLResponse, outage: GraphQLResponse, down: string): Comparison {
  const definition = DOCUMENTS.get(testCase.operation)!.definitions.find((node) => node.kind === Kind.OPERATION_DEFINITION && node.name?.value === testCase.operation);
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`No operation ${testCase.operation}.`);
  const root = definition.operation === 'mutation' ? SUPERGRAPH.getMutationType()! : SUPERGRAPH.getQueryType()!;
  const result: Comparison = { compared: [], lost: [] };
  compare(root, definition.selectionSet, healthy.data, outage.data ?? {}, down, { parentOwner: null, dependsOn: new Set(), path: testCase.operation }, result);
  return result;
}

let platform: Platform | undefined;
afterAll(async () => {
  await platform?.close();
});

describe('when one agency is down, every other agency still answers (contract × agency)', () => {
  it.each(SUBGRAPH_NAMES.map((name) => [name]))('%s down', async (down: SubgraphName) => {
    // Without the response cache: a catalogue answer cached while healthy would still be served whole
    // with the portal down (responseCache.test.ts shows it), and this is about what the fetches do.
    platform = await startPlatform({ citizens: 5, gateway: { responseCache: false } });
    try {
      const healthy: GraphQLResponse[] = [];
      const variables: Record<string, unknown>[] = [];
      for (const testCase of CASES) {
        const given = typeof testCase.variables === 'function' ? await testCase.variables(platform) : (testCase.variables ?? {});
        variables.push(given);
        const response = await send(platform, testCase, given);
        expect(response.errors, `${testCase.operation} healthy: ${JSON.stringify(response.errors)}`).toBeUndefined();
        healthy.push(response);
      }
      await platform.subgraphs[down].close();

      let compared = 0;
      for (const [index, testCase] of [...CASES.entries()].reverse()) {
        const outage = await send(platform, testCase, variables[index]!);
        expect(outage.status).toBe(200);
        const { compared: paths, lost } = comparison(testCase, healthy[index]!, outage, down);
        compared += paths.length;
        const errors = (outage.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.serviceName]);
        // Nothing of the agency down was asked: the answer is whole. Otherwise every error names it.
        if (lost.length > 0) expect(errors.length, `${testCase.operation}: lost ${lost.join(', ')} without an error`).toBeGreaterThan(0);
        expect(errors, `${testCase.operation} with ${down} down`).toEqual(errors.map(() => ['SUBGRAPH_UNAVAILABLE', down]));
        if (errors.length === 0) expect(isDeepStrictEqual(outage.data, healthy[index]!.data), `${testCase.operation} with ${down} down, no error`).toBe(true);
      }
      // The walk is not vacuous: every outage leaves other agencies' fields to compare.
      expect(compared).toBeGreaterThan(10);
    } finally {
      await platform.close();
      platform = undefined;
    }
  }, 120_000);
});

describe("the nullability rule (schema/README.md): a field one subgraph adds to another's entity is nullable", () => {
  it('holds for every entity in the supergraph', () => {
    const offenders: string[] = [];
    for (const type of Object.values(SUPERGRAPH.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || type === SUPERGRAPH.getQueryType() || type === SUPERGRAPH.getMutationType()) continue;
      // The subgraphs that return the entity from their own fields are the ones that "own" its parents.
      const keyed = (type.astNode?.directives ?? []).filter((directive) => directive.name.value === 'join__type' && argument(directive.arguments, 'key') !== undefined);
      if (keyed.length < 2) continue;
      const born = new Set<string>();
      for (const parent of Object.values(SUPERGRAPH.getTypeMap())) {
        if (!isObjectType(parent) || parent.name.startsWith('__')) continue;
        for (const field of Object.values(parent.getFields())) {
          if (getNamedType(field.type) !== type) continue;
          for (const graph of joins(SUPERGRAPH, parent, field).graphs) born.add(graph);
        }
      }
      for (const field of Object.values(type.getFields())) {
        const { graphs } = joins(SUPERGRAPH, type, field);
        const contributed = [...graphs].every((graph) => !born.has(graph));
        if (contributed && isNonNullType(field.type) && !field.astNode?.directives?.some((directive) => directive.name.value === 'inaccessible')) {
          offenders.push(`${type.name}.${field.name} (${[...graphs].join(', ')})`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
