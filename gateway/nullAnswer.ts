import {
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;
type Answer = Record<string, unknown>;

/**
 * What a subgraph that could not be reached "answered" to one fetch of a query plan: every field
 * asked for is null, as if each had failed on its own. Without it, the planner finds the fields
 * missing rather than null, and drops every entity whose later fetches `@requires` them: one agency
 * down would blank the whole answer instead of only that agency's part. Each representation gets an
 * object, never null, so the entity another subgraph returned survives: only the fields asked of the
 * failed subgraph are null, and they null their parent only where the schema makes them non-null
 * (which is why fields contributed to another subgraph's entity are nullable: schema/README.md).
 */
export function nullAnswer(query: string, variables: Record<string, unknown> | undefined): Answer {
  const document = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operation ??= definition;
  }
  if (!operation) return {};
  const rootType = operation.operation === 'mutation' ? 'Mutation' : 'Query';

  const answer: Answer = {};
  for (const field of fieldsFor(operation.selectionSet, rootType, fragments)) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === '_entities' && field.selectionSet) {
      // The planner reads one entity per representation, in order, each of its __typename.
      const representations = Array.isArray(variables?.representations) ? variables.representations : [];
      const selectionSet = field.selectionSet;
      answer[key] = representations.map((representation) => nullObject(selectionSet, typenameOf(representation), fragments));
    } else {
      answer[key] = field.name.value === '__typename' ? rootType : null;
    }
  }
  return answer;
}

function typenameOf(representation: unknown): string {
  const typename = (representation as { __typename?: unknown } | null)?.__typename;
  return typeof typename === 'string' ? typename : '';
}

function nullObject(selectionSet: SelectionSetNode, typename: string, fragments: Fragments): Answer {
  const object: Answer = {};
  for (const field of fieldsFor(selectionSet, typename, fragments)) {
    object[field.alias?.value ?? field.name.value] = field.name.value === '__typename' ? typename : null;
  }
  return object;
}

/** The fields a selection set asks of an object of type `typename`, through inline fragments and spreads. */
function fieldsFor(selectionSet: SelectionSetNode, typename: string, fragments: Fragments): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
      continue;
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
    // Entity fetches type their fragments on the representations' concrete types. A fragment on an
    // abstract type is left out: its entity is then skipped, as it would be without this answer.
    const condition = fragment?.typeCondition?.name.value;
    if (fragment && (condition === undefined || condition === typename)) fields.push(...fieldsFor(fragment.selectionSet, typename, fragments));
  }
  return fields;
}
