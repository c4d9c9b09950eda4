import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  defaultFieldResolver,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLFieldResolver,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';
import {
  accessRulesOf,
  allowedWhateverTheRecord,
  combineRules,
  decideAccess,
  ownerNamedBy,
  recordedPurpose,
  type AccessRule,
  type Asking,
  type RecordFacts,
} from '../../lib/access.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import { accessorOf } from './accessRecord.js';
import type { BaseContext } from './service.js';

/**
 * Each subgraph's one chokepoint for personal data. Its SDL says who may read what (`@authenticated`,
 * `@requiresScopes`, `@policy`: see lib/access.ts); this guard wraps every resolver those directives
 * cover, decides on the record itself (whose it is, which agency owns it) and notes every read it
 * allows on the agency's access record. A resolver never checks access itself, and the build fails
 * when a field of a record type says nothing about who may read it, so a new field cannot forget.
 */
export interface RecordType<Context extends BaseContext> {
  /** Whose record an object of this type is and which agency owns it. */
  facts(object: any, context: Context): RecordFacts | Promise<RecordFacts>;
  /**
   * What a caller who may not see one is told, word for word the same whether it exists or not (case
   * numbers are sequential: two answers would let anyone count). Default: "You may not see this record."
   */
  denied?: string;
  /** Reads of it are not recorded: the access record itself, whose reading must not grow it. */
  unrecorded?: boolean;
}

export interface PersonalDataPolicy<Context extends BaseContext> {
  /** The agency a read is recorded under when neither its rule (`official-of:<AGENCY>`) nor its record names one. */
  owner: string;
  /** The types whose objects are one citizen's (or one company's) record, by name. */
  records: Record<string, RecordType<Context>>;
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

type ObjectDefinition = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
type Resolver<Context> = GraphQLFieldResolver<any, Context, any>;
type ReferenceResolver<Context> = (reference: any, context: Context, info: any) => unknown;
type SubscriptionResolver<Context> = { subscribe: Resolver<Context>; resolve?: Resolver<Context> };

function namedTypeName(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
}

/** The fields named by an object type's `@key`s: the caller sent them, so they are nobody's secret. */
function keyFields(definitions: readonly ObjectDefinition[]): Set<string> {
  const keys = new Set<string>();
  for (const definition of definitions) {
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
      if (fields?.kind === Kind.STRING) for (const name of fields.value.split(/[\s{}]+/).filter(Boolean)) keys.add(name);
    }
  }
  return keys;
}

function askingOf(context: BaseContext): Asking {
  return { caller: context.caller, purpose: context.purpose };
}

/** The error for a refused read; `facts`, when known, decide whether a stated purpose would have helped. */
function refusal(decision: 'unauthenticated' | 'forbidden', rule: AccessRule | null, asking: Asking, deniedMessage: string, facts?: RecordFacts): GraphQLError {
  if (decision === 'unauthenticated') return unauthenticated('Sign in to see this.');
  if (asking.purpose === null && decideAccess(rule, { ...asking, purpose: 'stated' }, facts) === 'allowed') {
    return forbidden('State why you read this: officials and agency services send the purpose in the x-purpose header.');
  }
  return forbidden(deniedMessage);
}

const DEFAULT_DENIED = 'You may not see this record.';

/** A resolver's NOT_FOUND and a null alike: the record is not there. */
async function resolvedOrMissing(resolve: () => unknown): Promise<unknown> {
  try {
    return await resolve();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/**
 * `resolvers` with the guard around every field and entity reference that `typeDefs`' directives
 * cover. Throws at build time when a record type has a field without a rule, or a rule guards a field
 * of a type that is not a record type.
 */
export function guardPersonalData<Context extends BaseContext>(
  subgraph: string,
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<Context>,
  policy: PersonalDataPolicy<Context>,
): GraphQLResolverMap<Context> {
  const rules = accessRulesOf(typeDefs);
  const definitions = new Map<string, ObjectDefinition[]>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    definitions.set(definition.name.value, [...(definitions.get(definition.name.value) ?? []), definition]);
  }
  const guarded: GraphQLResolverMap<Context> = { ...resolvers };
  const problems: string[] = [];

  for (const [typeName, typeDefinitions] of definitions) {
    const typeRule = rules.types.get(typeName) ?? null;
    const record = policy.records[typeName];
    const keys = keyFields(typeDefinitions);
    const fieldResolvers: Record<string, unknown> = { ...(resolvers[typeName] as Record<string, unknown> | undefined) };
    const fields: FieldDefinitionNode[] = typeDefinitions.flatMap((definition) => [...(definition.fields ?? [])]);
    for (const field of fields) {
      const coordinate = `${typeName}.${field.name.value}`;
      const fieldRule = rules.fields.get(coordinate) ?? null;
      const original = (fieldResolvers[field.name.value] as Resolver<Context> | undefined) ?? defaultFieldResolver;
      if (ROOT_TYPES.has(typeName)) {
        const returned = namedTypeName(field.type);
        const rule = combineRules([fieldRule, rules.types.get(returned)]);
        if (rule && typeName === 'Subscription') {
          fieldResolvers[field.name.value] = guardSubscriptionField(rule, policy.records[returned], fieldResolvers[field.name.value] as SubscriptionResolver<Context>);
        } else if (rule) {
          fieldResolvers[field.name.value] = guardRootField(rule, policy.records[returned], original, typeName === 'Query');
        }
        continue;
      }
      if (field.directives?.some((directive) => directive.name.value === 'external')) continue;
      // A key names the record it is asked with: nobody's secret, unless the whole type is (an
      // application's case number), when reading it is a read of the record like any other field.
      if (keys.has(field.name.value) && !typeRule) continue;
      const rule = combineRules([fieldRule, typeRule]);
      if (!record) {
        if (rule) problems.push(`${coordinate} has an access rule, but ${typeName} is not one of the ${subgraph} subgraph's record types`);
        continue;
      }
      if (!rule) {
        problems.push(`${coordinate} says nothing about who may read it: every field of a ${typeName} needs @policy (or the type does)`);
        continue;
      }
      // Reading one's own access record is not itself recorded: it would grow with every look.
      const recorded = !record.unrecorded && !policy.records[namedTypeName(field.type)]?.unrecorded;
      fieldResolvers[field.name.value] = guardField(coordinate, rule, record, record.denied ?? DEFAULT_DENIED, recorded ? policy.owner : null, original);
    }
    if (record && typeRule && typeof fieldResolvers.__resolveReference === 'function') {
      fieldResolvers.__resolveReference = guardReference(typeRule, record, fieldResolvers.__resolveReference as ReferenceResolver<Context>);
    }
    if (Object.keys(fieldResolvers).length) guarded[typeName] = fieldResolvers as GraphQLResolverMap<Context>[string];
  }
  // The gateway enforces a rule on an enum or a scalar wherever it is returned; the guard wraps objects' fields only.
  for (const typeName of rules.types.keys()) {
    if (!definitions.has(typeName)) problems.push(`${typeName} has an access rule, but the guard knows rules on object types and their fields only`);
  }
  for (const typeName of Object.keys(policy.records)) {
    if (!definitions.has(typeName)) problems.push(`${typeName} is named a record type but the ${subgraph} subgraph defines no such type`);
  }
  if (problems.length) throw new Error(`The ${subgraph} subgraph's personal data is not all guarded:\n- ${problems.join('\n- ')}`);
  return guarded;
}

/**
 * A field of a record: decided on the record's facts and, when allowed, noted on the access record
 * under its owner (`owner` is the fallback one; null: not recorded).
 */
function guardField<Context extends BaseContext>(
  coordinate: string,
  rule: AccessRule,
  record: RecordType<Context>,
  denied: string,
  owner: string | null,
  resolve: Resolver<Context>,
): Resolver<Context> {
  const namedOwner = ownerNamedBy(rule);
  return async (parent, args, context, info) => {
    const asking = askingOf(context);
    const facts = await record.facts(parent, context);
    const decision = decideAccess(rule, asking, facts);
    if (decision !== 'allowed') throw refusal(decision, rule, asking, denied, facts);
    // Noted once read: a field that fails (NOT_FOUND for a DNI RENIEC does not know) read nothing.
    const value = await resolve(parent, args, context, info);
    if (owner !== null && facts.subject !== null && asking.caller) {
      context.access.note({
        dni: facts.subject,
        agency: namedOwner ?? facts.owner ?? owner,
        field: coordinate,
        accessor: accessorOf(asking.caller),
        purpose: recordedPurpose(asking, facts),
      });
    }
    return value;
  };
}

/**
 * A root field or an entity reference: decided on the caller first, then on the record `run` returns.
 * A lookup (`application(id:)`, `_entities`) tells a caller whom the record's facts decide for nothing
 * by a missing record: it is refused as someone else's would be. A mutation's NOT_FOUND is about its
 * input, and stays; and a mutation has run by the time its result's record is judged, so one that
 * acts on an existing record (not `startApplication`, which makes the caller's own) must check that
 * record before it acts.
 */
async function judged<Context extends BaseContext>(
  rule: AccessRule,
  record: RecordType<Context> | undefined,
  lookup: boolean,
  context: Context,
  run: () => unknown,
): Promise<unknown> {
  const denied = record?.denied ?? DEFAULT_DENIED;
  const asking = askingOf(context);
  const decision = decideAccess(rule, asking);
  // Refused on who asks alone, a mutation is refused as such: no record is in question yet.
  if (decision !== 'allowed') throw refusal(decision, rule, asking, lookup ? denied : 'You may not do this.');
  if (!record || allowedWhateverTheRecord(rule, asking)) return run();
  const found = lookup ? await resolvedOrMissing(run) : await run();
  if (found === null || found === undefined) {
    if (lookup) throw forbidden(denied);
    return found;
  }
  if (decideAccess(rule, asking, await record.facts(found, context)) !== 'allowed') throw forbidden(denied);
  return found;
}

function guardRootField<Context extends BaseContext>(rule: AccessRule, record: RecordType<Context> | undefined, resolve: Resolver<Context>, lookup: boolean): Resolver<Context> {
  return (parent, args, context, info) => judged(rule, record, lookup, context, () => resolve(parent, args, context, info));
}

/**
 * A subscription field: the caller is judged when they subscribe (refused before anything is
 * followed), and each event's record when it is resolved, as a mutation's result is: the fields read
 * of it are then guarded and noted like any query's.
 */
function guardSubscriptionField<Context extends BaseContext>(rule: AccessRule, record: RecordType<Context> | undefined, field: SubscriptionResolver<Context>): SubscriptionResolver<Context> {
  const resolve = field.resolve ?? defaultFieldResolver;
  return {
    subscribe(parent, args, context, info) {
      const asking = askingOf(context);
      const decision = decideAccess(rule, asking);
      if (decision !== 'allowed') throw refusal(decision, rule, asking, 'You may not follow this.');
      return field.subscribe(parent, args, context, info);
    },
    resolve: guardRootField(rule, record, resolve, false),
  };
}

/** An entity reference (`_entities`) to a record whose type has a rule: a lookup by key. */
function guardReference<Context extends BaseContext>(rule: AccessRule, record: RecordType<Context>, resolve: ReferenceResolver<Context>): ReferenceResolver<Context> {
  return (reference, context, info) => judged(rule, record, true, context, () => resolve(reference, context, info));
}
