import { Kind, parse, type ConstDirectiveNode, type DefinitionNode, type DocumentNode } from 'graphql';

/** Which subgraphs answer each field of a supergraph, and which types are entities (have a key). */
interface Ownership {
  /** `Type.field` → the subgraphs that resolve it (not merely `@external` there, nor overridden). */
  resolvers: Map<string, Set<string>>;
  /** `Type` → the fields of its keys: every subgraph with the key resolves those. */
  keyFields: Map<string, Set<string>>;
}

/** A field one subgraph's proposal would take from another agency's subgraph. */
export interface TakenField {
  coordinate: string;
  from: string[];
}

/**
 * The fields a proposal for `subgraph` takes from other subgraphs: one they answered before and no
 * longer do (`@override`), or an entity's field (not a key) that it starts answering beside them
 * (`@shareable`), so that the planner may send that field's fetches, and the caller's identity, to it.
 * A value type's fields may be shared: the planner resolves them where their parent came from.
 */
export function fieldsTaken(beforeSupergraph: string, afterSupergraph: string, subgraph: string): TakenField[] {
  const before = ownershipOf(beforeSupergraph);
  const after = ownershipOf(afterSupergraph);
  const taken: TakenField[] = [];
  for (const [coordinate, was] of before.resolvers) {
    const now = after.resolvers.get(coordinate);
    if (!now) continue;
    const lost = [...was].filter((owner) => owner !== subgraph && !now.has(owner));
    const [type = '', field = ''] = coordinate.split('.');
    const isEntity = before.keyFields.has(type);
    const sharedAnew = isEntity && now.has(subgraph) && !was.has(subgraph) && was.size > 0 && !after.keyFields.get(type)?.has(field);
    if (lost.length || sharedAnew) taken.push({ coordinate, from: lost.length ? lost : [...was] });
  }
  return taken;
}

function ownershipOf(supergraphSdl: string): Ownership {
  const document = parse(supergraphSdl);
  const graphs = graphNames(document);
  const resolvers = new Map<string, Set<string>>();
  const keyFields = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (!isCompositeType(definition)) continue;
    const type = definition.name.value;
    const typeGraphs = new Set<string>();
    for (const directive of directivesNamed(definition.directives, 'join__type')) {
      const graph = graphs.get(enumArgument(directive, 'graph') ?? '');
      if (graph) typeGraphs.add(graph);
      const key = stringArgument(directive, 'key');
      if (key) for (const field of topLevelFields(key)) (keyFields.get(type) ?? keyFields.set(type, new Set()).get(type)!).add(field);
    }
    for (const field of definition.fields ?? []) {
      const joins = directivesNamed(field.directives, 'join__field');
      const owners = new Set<string>();
      if (joins.length === 0) for (const graph of typeGraphs) owners.add(graph);
      for (const join of joins) {
        const graph = graphs.get(enumArgument(join, 'graph') ?? '');
        if (graph && !booleanArgument(join, 'external') && !booleanArgument(join, 'usedOverridden')) owners.add(graph);
      }
      resolvers.set(`${type}.${field.name.value}`, owners);
    }
  }
  return { resolvers, keyFields };
}

function isCompositeType(definition: DefinitionNode): definition is Extract<DefinitionNode, { kind: Kind.OBJECT_TYPE_DEFINITION | Kind.INTERFACE_TYPE_DEFINITION }> {
  return definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION;
}

/** The `join__Graph` enum's values → the subgraph names their `@join__graph(name:)` gives. */
function graphNames(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = stringArgument(directivesNamed(value.directives, 'join__graph')[0], 'name');
      if (name) names.set(value.name.value, name);
    }
  }
  return names;
}

function directivesNamed(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode[] {
  return (directives ?? []).filter((directive) => directive.name.value === name);
}

function argument(directive: ConstDirectiveNode | undefined, name: string) {
  return directive?.arguments?.find((argument) => argument.name.value === name)?.value;
}

function enumArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.ENUM ? value.value : undefined;
}

function stringArgument(directive: ConstDirectiveNode | undefined, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean {
  const value = argument(directive, name);
  return value?.kind === Kind.BOOLEAN && value.value;
}

/** The top-level fields of a key's field set, e.g. "dni first after" or "id owner { dni }". */
function topLevelFields(fieldSet: string): string[] {
  const operation = parse(`{ ${fieldSet} }`).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return [];
  return operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []));
}
