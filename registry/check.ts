import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change as InspectorChange } from '@graphql-inspector/core';
import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { supergraphForPlanner } from '../gateway/authorization.js';
import { coordinatesUsedBy } from '../lib/schemaCoordinates.js';
import { composeSupergraph, type CompositionProblem, type SubgraphDefinition } from '../schema/compose.js';
import { fieldsTaken } from './ownership.js';

/**
 * The schema registry's check: what publishing an SDL for one subgraph would do to the graph clients
 * see. It composes the proposal with the other subgraphs' current versions, diffs the API schemas
 * before and after, and holds a breaking change against the proposal only if some client operation
 * (from the contract, or recorded from traffic) uses what it breaks.
 */

export type Criticality = 'BREAKING' | 'DANGEROUS' | 'SAFE';

/** The change type of a field a proposal would take from another subgraph (see ownership.ts). */
export const FIELD_TAKEN = 'FIELD_TAKEN';

export interface SubgraphVersion {
  name: string;
  routingUrl: string;
  sdl: string;
}

/** An operation clients send: from the contract, or recorded from real traffic. coordinates: schema coordinates it uses: "Type", "Type.field", "Type.field.argument". */
export interface KnownOperation {
  name: string;
  origin: 'contract' | 'traffic';
  coordinates: readonly string[];
}

export interface Change {
  criticality: Criticality;
  type: string;
  message: string;
  coordinate: string | null;
  operations: { name: string; origin: 'contract' | 'traffic' }[];
  note?: string;
}

export interface CheckReport {
  subgraph: string;
  ok: boolean;
  compositionErrors: CompositionProblem[];
  changes: Change[];
  supergraphSdl: string | null;
}

export async function checkProposal(input: {
  subgraph: string;
  sdl: string;
  routingUrl?: string;
  current: readonly SubgraphVersion[];
  operations: readonly KnownOperation[];
  windowDays: number;
}): Promise<CheckReport> {
  const replaced = input.current.find((version) => version.name === input.subgraph);
  const routingUrl = input.routingUrl ?? replaced?.routingUrl;
  if (routingUrl === undefined) {
    throw new Error(`Subgraph "${input.subgraph}" is new: its proposal needs a routingUrl.`);
  }

  let typeDefs: DocumentNode;
  try {
    typeDefs = parse(input.sdl);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const problem = { code: 'INVALID_GRAPHQL', message: `Subgraph "${input.subgraph}": ${error.message}`, subgraphs: [input.subgraph] };
    return failed(input.subgraph, [problem]);
  }

  const others = input.current.filter((version) => version.name !== input.subgraph).map(definitionOf);
  const proposed = composeSupergraph([...others, { name: input.subgraph, routingUrl, typeDefs }]);
  if (proposed.errors) return failed(input.subgraph, proposed.errors);

  const baseline = baselineSupergraph(input.current);
  const before = baseline === null ? null : apiSchemaOf(baseline);
  const after = apiSchemaOf(proposed.supergraphSdl);
  const changes = (await diff(before, after)).map((change) => judge(change, input.operations, input.windowDays));
  // Whoever uses them, another agency's fields are not a proposal's to take: never SAFE, never forced through.
  if (baseline !== null) {
    for (const { coordinate, from } of fieldsTaken(baseline, proposed.supergraphSdl, input.subgraph)) {
      changes.push({ criticality: 'BREAKING', type: FIELD_TAKEN, message: `${coordinate} is answered by ${from.join(', ')}: ${input.subgraph} would take it`, coordinate, operations: [] });
    }
  }
  return {
    subgraph: input.subgraph,
    ok: !changes.some((change) => change.criticality === 'BREAKING'),
    compositionErrors: [],
    changes,
    supergraphSdl: proposed.supergraphSdl,
  };
}

function failed(subgraph: string, compositionErrors: CompositionProblem[]): CheckReport {
  return { subgraph, ok: false, compositionErrors, changes: [], supergraphSdl: null };
}

function definitionOf(version: SubgraphVersion): SubgraphDefinition {
  return { name: version.name, routingUrl: version.routingUrl, typeDefs: parse(version.sdl) };
}

/** Null for the very first publish: every type is then an addition. */
function baselineSupergraph(current: readonly SubgraphVersion[]): string | null {
  if (current.length === 0) return null;
  const composition = composeSupergraph(current.map(definitionOf));
  if (composition.errors) {
    // The registry only ever holds versions that composed: a baseline that does not is corrupt data, not a proposal's fault.
    throw new Error(`The current subgraphs do not compose: ${composition.errors.map((problem) => problem.message).join('; ')}`);
  }
  return composition.supergraphSdl;
}

/**
 * The schema clients see: @inaccessible elements and federation's machinery removed. Built from the
 * supergraph as the gateway hands it to its planner, because Supergraph.build refuses the `for: SECURITY`
 * authorization features the gateway enforces itself.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphForPlanner(supergraphSdl)).apiSchema().toGraphQLJSSchema();
}

const CRITICALITY: Record<CriticalityLevel, Criticality> = {
  [CriticalityLevel.Breaking]: 'BREAKING',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE',
};

/**
 * These changes' paths name the element just added, which no operation can use yet: the operations
 * they break are those that use its parent (a field given a required argument, an input type a required field).
 */
const BREAKS_USERS_OF_PARENT = new Set<string>(['FIELD_ARGUMENT_ADDED', 'INPUT_FIELD_ADDED']);

function judge(change: InspectorChange, operations: readonly KnownOperation[], windowDays: number): Change {
  const coordinate = change.path ?? null;
  const judged: Change = { criticality: CRITICALITY[change.criticality.level], type: change.type, message: change.message, coordinate, operations: [] };
  // Without a path there is nothing to look usage up by, so the change stays as breaking as the diff says.
  if (judged.criticality !== 'BREAKING' || coordinate === null) return judged;

  const used = BREAKS_USERS_OF_PARENT.has(change.type) ? coordinate.slice(0, coordinate.lastIndexOf('.')) : coordinate;
  judged.operations = operations
    .filter((operation) => operation.coordinates.some((c) => c === used || c.startsWith(`${used}.`)))
    .map(({ name, origin }) => ({ name, origin }));
  if (judged.operations.length > 0) return judged;
  return {
    ...judged,
    criticality: 'SAFE',
    note: `No client operation used ${used} in the last ${windowDays} days (contract operations and recorded traffic).`,
  };
}

/** The named operations of every `*.graphql` file in `folder`, as the contract's known operations. */
export function contractOperations(folder: string, apiSchema: GraphQLSchema): KnownOperation[] {
  const files = readdirSync(folder).filter((file) => file.endsWith('.graphql')).sort();
  return files.flatMap((file) => {
    const document = parse(readFileSync(join(folder, file), 'utf8'));
    return document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name
        ? [{ name: definition.name.value, origin: 'contract' as const, coordinates: coordinatesUsedBy(document, apiSchema, definition.name.value) }]
        : [],
    );
  });
}

/** The report for a person reading a terminal or a pull request comment. */
export function formatCheckReport(report: CheckReport): string {
  const breaking = report.changes.filter((change) => change.criticality === 'BREAKING').length;
  const verdict = report.ok
    ? 'passes'
    : report.compositionErrors.length > 0
      ? `fails: ${report.compositionErrors.length} composition error(s)`
      : `fails: ${breaking} breaking change(s) used by client operations`;
  const lines = [`Check of subgraph "${report.subgraph}" ${verdict}.`];

  if (report.compositionErrors.length > 0) {
    lines.push('', 'Composition errors:');
    for (const problem of report.compositionErrors) {
      lines.push(`  [${problem.code}] (${problem.subgraphs.join(', ')}) ${problem.message}`);
    }
  }
  for (const criticality of ['BREAKING', 'DANGEROUS', 'SAFE'] as const) {
    const changes = report.changes.filter((change) => change.criticality === criticality);
    if (changes.length === 0) continue;
    lines.push('', `${criticality} (${changes.length}):`);
    for (const change of changes) {
      lines.push(`  - ${change.message}${change.coordinate ? ` [${change.coordinate}]` : ''}`);
      if (change.operations.length > 0) {
        lines.push(`    breaks: ${change.operations.map((operation) => `${operation.name} (${operation.origin})`).join(', ')}`);
      }
      if (change.note) lines.push(`    note: ${change.note}`);
    }
  }
  if (report.compositionErrors.length === 0 && report.changes.length === 0) lines.push('', 'No change to the API schema.');
  return lines.join('\n');
}
