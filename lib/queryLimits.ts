import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  Kind,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { parseWholeNumber, type Env } from './settings.js';
import { namedType } from './typeShapes.js';

/**
 * How much one operation may ask for. Every limit is checked before the gateway plans the operation,
 * so a refused one costs no subgraph a fetch; a refusal is HTTP 400 GRAPHQL_VALIDATION_FAILED (the
 * token limit: GRAPHQL_PARSE_FAILED) with a message naming the limit and what was found.
 */
export interface QueryLimits {
  /**
   * `QUERY_MAX_DEPTH`: how deeply fields may nest, fragments flattened (`{ a { b } }` is 2); the
   * introspection of `__schema` is not counted (the playground's needs more). Default 12.
   */
  maxDepth: number;
  /** `QUERY_MAX_ALIASES`: aliases in one operation, its fragments included (aliases of `__typename` are free). Default 30. */
  maxAliases: number;
  /** `QUERY_MAX_COST`: the most an operation may cost, counted as `operationCost` says. Default 5000. */
  maxCost: number;
  /** `QUERY_MAX_TOKENS`: lexical tokens in the document (graphql-js's own parser limit). Default 2000. */
  maxTokens: number;
}

/**
 * The defaults, measured against the portal contract (test/gateway/queryLimits.test.ts checks that
 * every contract operation passes at half of each). The contract nests at most 5 fields deep, uses no
 * aliases, and the whole file is 269 tokens; its costliest operation is SearchProcedures at 1,701 with
 * `first: 100`, the largest page the portal serves. The review's attack (1,500 aliases of
 * `procedures(first: 100) { ... requirements ... channels ... }`, 171 KB, 49 s) is about 50,000
 * tokens and costs 1.35 million (901 an alias): at 5000 at most five such pages fit in one operation.
 */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 5000,
  maxTokens: 2000,
});

/** The largest value each limit accepts: a limit past these protects nothing. */
const LIMIT_MAXIMUMS: Record<keyof QueryLimits, { suffix: string; max: number }> = {
  maxDepth: { suffix: 'MAX_DEPTH', max: 100 },
  maxAliases: { suffix: 'MAX_ALIASES', max: 10_000 },
  maxCost: { suffix: 'MAX_COST', max: 100_000_000 },
  maxTokens: { suffix: 'MAX_TOKENS', max: 1_000_000 },
};

/**
 * The limits `<prefix>_MAX_DEPTH`, `_MAX_ALIASES`, `_MAX_COST` and `_MAX_TOKENS` set (the gateway's
 * prefix is QUERY, the subgraphs' SUBGRAPH_QUERY), each defaulting to `defaults`'. ConfigError names
 * a bad one.
 */
export function queryLimitsFrom(env: Env, prefix: string, defaults: Readonly<QueryLimits> = DEFAULT_QUERY_LIMITS): QueryLimits {
  const limits = { ...defaults };
  for (const [key, { suffix, max }] of Object.entries(LIMIT_MAXIMUMS) as [keyof QueryLimits, { suffix: string; max: number }][]) {
    const variable = `${prefix}_${suffix}`;
    limits[key] = parseWholeNumber(env[variable], defaults[key], variable, 1, max);
  }
  return limits;
}

/**
 * graphql-armor's depth and alias rules, made to report rather than throw: a rule that throws makes
 * Apollo Server answer 500, a reported error is an ordinary validation error (HTTP 400
 * GRAPHQL_VALIDATION_FAILED). graphql-armor prefixes its messages with "Syntax Error: ", which they
 * are not.
 */
export function queryLimitRules(limits: Pick<QueryLimits, 'maxDepth' | 'maxAliases'>): ValidationRule[] {
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
  const options = { exposeLimits: true, propagateOnRejection: false, onReject: [report] };
  return [
    maxDepthRule({ ...options, n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true }),
    maxAliasesRule({ ...options, n: limits.maxAliases }),
  ];
}

/** Apollo Server's `parseOptions` for the token limit: graphql-js stops parsing past it. */
export function queryParseOptions(limits: Pick<QueryLimits, 'maxTokens'>): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/**
 * What `operation` costs with these variables (as the client sent them): roughly how many fields the
 * gateway would resolve if every page were full. Each field counts 1, and what is selected under a
 * field taking `first` or `last` counts that many times (the argument's value from a literal, a
 * variable or its default, or the schema's default; fields nest, so do their pages). A list without
 * such an argument counts once: its size is the data's, not the client's choice. Introspection and
 * `__typename` are free: the gateway answers them itself. Fragments count wherever they are spread,
 * each one computed once, so spreading a fragment many times costs no time here.
 *
 * It only reads the schema by shape (see typeShapes.ts): the schema is Apollo's graphql-js instance.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  function selectionSetCost(selectionSet: SelectionSetNode, parentType: GraphQLNamedType): number {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(selection, parentType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        // Branches on different types are all counted: an upper bound, as only one applies per object.
        if (type) cost += selectionSetCost(selection.selectionSet, type);
      } else {
        cost += fragmentCost(selection.name.value);
      }
    }
    return cost;
  }

  function fragmentCost(name: string): number {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown and cyclic fragments have already failed validation; this only keeps the walk finite.
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const type = schema.getType(fragment.typeCondition.name.value);
    const cost = type ? selectionSetCost(fragment.selectionSet, type) : 0;
    inProgress.delete(name);
    fragmentCosts.set(name, cost);
    return cost;
  }

  function fieldCost(node: FieldNode, parentType: GraphQLNamedType): number {
    if (node.name.value.startsWith('__')) return 0;
    // Object and interface types have fields to select; the walk never meets input types.
    const field = 'getInterfaces' in parentType ? parentType.getFields()[node.name.value] : undefined;
    if (!field || !node.selectionSet) return 1;
    return 1 + pageSize(field, node) * selectionSetCost(node.selectionSet, namedType(field.type));
  }

  function pageSize(field: GraphQLField<unknown, unknown>, node: FieldNode): number {
    const sizes = field.args
      .filter(({ name }) => name === 'first' || name === 'last')
      .map((argument) => argumentValue(argument, node.arguments?.find(({ name }) => name.value === argument.name)))
      .filter((value): value is number => Number.isInteger(value));
    return sizes.length ? Math.max(0, ...sizes) : 1;
  }

  /** The value an argument gets as GraphQL says: given, else its variable's default, else the schema's. */
  function argumentValue(argument: GraphQLArgument, node: ArgumentNode | undefined): unknown {
    if (node?.value.kind === Kind.VARIABLE) {
      const name = node.value.name.value;
      if (Object.hasOwn(variables, name)) return variables[name];
      const fallback = variableDefaults.get(name);
      if (fallback) return literal(fallback);
    } else if (node) {
      return literal(node.value);
    }
    return argument.defaultValue;
  }

  const rootType = schema.getRootType(operation.operation);
  return rootType ? selectionSetCost(operation.selectionSet, rootType) : 0;
}

/** An Int literal's value; null for anything else (`first` takes Ints only). */
function literal(value: ValueNode): number | null {
  return value.kind === Kind.INT ? Number(value.value) : null;
}

/**
 * The cost check on one request: the error to refuse it with (HTTP 400 GRAPHQL_VALIDATION_FAILED) and
 * the cost found, or null when it may run. It is made per request, not per document, because page
 * sizes usually come in variables. Variables that are not what the operation declares are left to
 * the gateway, which refuses them before planning.
 */
export function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  maxCost: number,
): { error: GraphQLError; cost: number } | null {
  const cost = operationCost(schema, document, operation, variables ?? {});
  if (cost <= maxCost) return null;
  const error = new GraphQLError(
    `Query cost limit of ${maxCost} exceeded, found ${cost}. Each field counts 1, and what is selected ` +
      'under a field with `first` or `last` counts that many times: ask for smaller pages or fewer fields.',
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } },
  );
  return { error, cost };
}
