import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { accessRulesOf, combineRules, decideAccess, isKnownPolicy, type AccessRule, type AccessRules, type Asking } from '../lib/access.js';
import type { Logger } from '../lib/logger.js';
import { isComposite, isNonNull, namedType } from '../lib/typeShapes.js';
import type { GatewayContext } from './context.js';

/**
 * Ventanilla enforces Federation's authorization directives (`@authenticated`, `@requiresScopes`,
 * `@policy`), which @apollo/gateway ignores, before anything is planned: each field the caller may
 * not see is taken out of the operation, so no subgraph is asked for it, and comes back null with an
 * error at its path (UNAUTHENTICATED without a caller, FORBIDDEN otherwise); the rest of the answer
 * still arrives. A non-null field taken out nulls its nearest nullable parent, as GraphQL does for
 * any error. What depends on the data (whose record it is) the subgraph decides again on its own.
 */

/** The three features' links, which @apollo/gateway refuses as unsupported `for: SECURITY` features. */
const ENFORCED_FEATURES = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v0\.\d+$/;

/**
 * The supergraph as the planner is given it: the three features' `for: SECURITY` dropped, because
 * this module enforces them. Any other security feature stays, and the gateway refuses it.
 */
export function supergraphForPlanner(supergraphSdl: string): string {
  let changed = false;
  const document = visit(parse(supergraphSdl), {
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((argument) => argument.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !ENFORCED_FEATURES.test(url.value)) return undefined;
      // Renamed (`as:`), its directives would go unread here and unenforced: such a supergraph is refused.
      if (node.arguments?.some((argument) => argument.name.value === 'as')) {
        throw new Error(`The supergraph renames ${url.value} with "as:": Ventanilla enforces its directives under their own names only.`);
      }
      const kept = node.arguments?.filter((argument) => argument.name.value !== 'for');
      if (kept?.length === node.arguments?.length) return undefined;
      changed = true;
      return { ...node, arguments: kept };
    },
  });
  return changed ? print(document) : supergraphSdl;
}

/** `manager`, with every supergraph it hands the gateway (first, reloaded, health-checked) made ready for the planner. */
export function plannerSupergraphs<Manager extends SupergraphManager>(manager: Manager): Manager {
  const wrapped: SupergraphManager = {
    async initialize({ update, healthCheck, getDataSource }) {
      const result = await manager.initialize({
        update: (sdl) => update(supergraphForPlanner(sdl)),
        healthCheck: (sdl) => healthCheck(supergraphForPlanner(sdl)),
        getDataSource,
      });
      return { ...result, supergraphSdl: supergraphForPlanner(result.supergraphSdl) };
    },
  };
  return Object.assign(Object.create(manager) as Manager, wrapped);
}

/** A field the caller may not see, where it stood in the operation, and how it is answered. */
interface Denial {
  /** The alias standing in for it in the operation sent to the planner (a `__typename`). */
  marker: string;
  /** Its response key in the client's operation. */
  responseKey: string;
  /** The response keys and types of the fields above it, from the root. */
  ancestors: { key: string; type: GraphQLOutputType }[];
  /** Whether the field is non-null: its null then goes up to the nearest nullable parent. */
  nonNull: boolean;
  error: { message: string; code: 'UNAUTHENTICATED' | 'FORBIDDEN' };
}

const MARKER_PREFIX = '_ventanilla_denied_';

/**
 * Apollo Server keeps an error's path only if it is a GraphQLError of its own graphql-js instance,
 * the CommonJS one: an ESM loader (vitest's) may hand this module another. `require` gets Apollo's.
 */
const { GraphQLError } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** Each field's rule, its type's and its implementations' combined, worked out once per supergraph's rules. */
const combinedRules = new WeakMap<AccessRules, Map<string, AccessRule | null>>();

/** The client's operation with every field the caller may not see replaced, or null when they may see it all. */
export function withoutDeniedFields(
  schema: GraphQLSchema,
  rules: AccessRules,
  document: DocumentNode,
  operationName: string | null | undefined,
  asking: Asking,
  source = '',
): { document: DocumentNode; denials: Denial[] } | null {
  // A stand-in must be no response key of the client's: the prefix grows until the document has none.
  let prefix = MARKER_PREFIX;
  while (source.includes(prefix)) prefix += '_';
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName)) operation ??= definition;
  }
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const denials: Denial[] = [];

  let combined = combinedRules.get(rules);
  if (!combined) combinedRules.set(rules, (combined = new Map()));
  const memo = combined;
  function ruleFor(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): AccessRule | null {
    const coordinate = `${parent.name}.${field.name}`;
    if (memo.has(coordinate)) return memo.get(coordinate)!;
    // A field asked of an interface may resolve on any implementation: each one's rule applies.
    const owners = 'resolveType' in parent ? schema.getPossibleTypes(parent) : [];
    const rule = combineRules([
      rules.fields.get(coordinate),
      ...owners.map((owner) => rules.fields.get(`${owner.name}.${field.name}`)),
      rules.types.get(namedType(field.type).name),
    ]);
    memo.set(coordinate, rule);
    return rule;
  }

  function rewrite(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, ancestors: Denial['ancestors']): SelectionSetNode {
    const selections: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        selections.push(rewriteField(selection, parent, ancestors));
        continue;
      }
      // Fragments are inlined, so that a field denied inside one is answered wherever it is spread.
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
      if (!condition || !isComposite(condition)) continue;
      selections.push({
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        directives: selection.directives,
        selectionSet: rewrite(fragment.selectionSet, condition, ancestors),
      });
    }
    return { ...selectionSet, selections };
  }

  function rewriteField(node: FieldNode, parent: GraphQLCompositeType, ancestors: Denial['ancestors']): FieldNode {
    if (node.name.value.startsWith('__') || !('getFields' in parent)) return node;
    const field = parent.getFields()[node.name.value];
    if (!field) return node;
    const responseKey = node.alias?.value ?? node.name.value;
    const rule = ruleFor(parent, field);
    const decision = decideAccess(rule, asking);
    if (decision !== 'allowed') {
      const marker = `${prefix}${denials.length}`;
      denials.push({ marker, responseKey, ancestors, nonNull: isNonNull(field.type), error: denialError(decision, rule, asking) });
      // Its @skip and @include stay: a field the client skipped is no error.
      return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: marker }, name: { kind: Kind.NAME, value: '__typename' }, directives: node.directives };
    }
    if (!node.selectionSet) return node;
    const child = namedType(field.type);
    if (!isComposite(child)) return node;
    return { ...node, selectionSet: rewrite(node.selectionSet, child, [...ancestors, { key: responseKey, type: field.type }]) };
  }

  const selectionSet = rewrite(operation.selectionSet, root, []);
  if (denials.length === 0) return null;
  // Fragments are inlined, so their definitions go: an unused fragment is invalid.
  return { document: { ...document, definitions: [{ ...operation, selectionSet }] }, denials };
}

function denialError(decision: 'unauthenticated' | 'forbidden', rule: AccessRule | null, asking: Asking): Denial['error'] {
  if (decision === 'unauthenticated') return { code: 'UNAUTHENTICATED', message: 'Sign in to see this.' };
  if (asking.purpose === null && decideAccess(rule, { ...asking, purpose: 'stated' }) === 'allowed') {
    return { code: 'FORBIDDEN', message: 'State why you read this: officials and agency services send the purpose in the x-purpose header.' };
  }
  return { code: 'FORBIDDEN', message: 'You may not see this.' };
}

/**
 * The answer to the client's operation from the answer to the one without its denied fields: each
 * denied field is null with its error, and a null where the schema allows none goes up to the
 * nearest nullable parent (or `data`), as GraphQL does for a failed non-null field.
 */
export function answerWithDenials(
  data: Record<string, unknown> | null | undefined,
  denials: readonly Denial[],
): { data: Record<string, unknown> | null | undefined; errors: { message: string; path: (string | number)[]; extensions: { code: string } }[] } {
  const errors: { message: string; path: (string | number)[]; extensions: { code: string } }[] = [];
  if (!data) return { data, errors };

  function patchObject(object: Record<string, unknown>, denial: Denial, depth: number, path: (string | number)[]): boolean {
    if (depth === denial.ancestors.length) {
      if (!(denial.marker in object)) return false;
      replaceKey(object, denial.marker, denial.responseKey);
      // A field asked twice at one path (through two fragments) is one refusal.
      const at = [...path, denial.responseKey];
      if (!errors.some((error) => error.path.join('.') === at.join('.'))) errors.push({ message: denial.error.message, path: at, extensions: { code: denial.error.code } });
      return denial.nonNull;
    }
    const { key, type } = denial.ancestors[depth]!;
    if (!(key in object) || patchValue(object[key], type, denial, depth + 1, [...path, key]) === false) return false;
    if (isNonNull(type)) return true;
    object[key] = null;
    return false;
  }

  /** Patches `value` of `type` in place; true when it must itself become null. */
  function patchValue(value: unknown, type: GraphQLOutputType, denial: Denial, depth: number, path: (string | number)[]): boolean {
    if (value === null || value === undefined) return false;
    const nullable = isNonNull(type) ? type.ofType : type;
    if (Array.isArray(value) && 'ofType' in nullable) {
      const item = nullable.ofType as GraphQLOutputType;
      for (const [index, element] of value.entries()) {
        if (!patchValue(element, item, denial, depth, [...path, index])) continue;
        if (isNonNull(item)) return true;
        value[index] = null;
      }
      return false;
    }
    return patchObject(value as Record<string, unknown>, denial, depth, path);
  }

  let answer: Record<string, unknown> | null = data;
  for (const denial of denials) if (answer && patchObject(answer, denial, 0, [])) answer = null;
  return { data: answer, errors };
}

/** Renames `from` to `to` in place with a null value, keeping the key's position. */
function replaceKey(object: Record<string, unknown>, from: string, to: string): void {
  const entries = Object.entries(object);
  for (const [key] of entries) delete object[key];
  for (const [key, value] of entries) {
    if (key === from) object[to] = null;
    else object[key] = value;
  }
}

/**
 * `inner`, with every operation authorised first (see `withoutDeniedFields`). The rules are read
 * from each supergraph `inner` serves; a policy outside Ventanilla's vocabulary is logged once and
 * never holds.
 */
export function enforceAccess(inner: GatewayInterface, logger: Logger): GatewayInterface {
  let rules: AccessRules = { fields: new Map(), types: new Map() };
  const unsubscribe = inner.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    rules = accessRulesOf(parse(coreSupergraphSdl));
    const unknown = new Set<string>();
    for (const rule of [...rules.fields.values(), ...rules.types.values()]) {
      for (const policy of rule.policies.flat(2)) if (!isKnownPolicy(policy)) unknown.add(policy);
    }
    if (unknown.size) logger.warn({ policies: [...unknown] }, '@policy names policies Ventanilla does not know: they never hold');
  });
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    async stop() {
      unsubscribe();
      await inner.stop();
    },
    async load(options) {
      const { executor } = await inner.load(options);
      if (!executor) return { executor };
      const authorised: GatewayExecutor = async (requestContext) => {
        const { caller, purpose } = requestContext.context as GatewayContext;
        const rewritten = withoutDeniedFields(requestContext.schema, rules, requestContext.document, requestContext.operationName, { caller, purpose }, requestContext.source);
        if (!rewritten) return executor(requestContext);
        // Plans are cached by query hash: each rewritten operation is planned, and cached, as itself.
        const queryHash = createHash('sha256').update(print(rewritten.document)).digest('hex');
        const result = await executor({ ...requestContext, document: rewritten.document, queryHash });
        const { data, errors } = answerWithDenials(result.data, rewritten.denials);
        const denied = errors.map(({ message, path, extensions }) => new GraphQLError(message, { path, extensions }));
        const { errors: upstream = [], ...rest } = result;
        const all = [...upstream, ...denied];
        return all.length ? { ...rest, data, errors: all } : { ...rest, data };
      };
      return { executor: authorised };
    },
  };
}
