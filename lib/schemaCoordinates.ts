import { Kind, TypeInfo, getNamedType, visit, visitWithTypeInfo, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';

/**
 * The schema coordinates an operation uses (all of the document's operations without `operationName`),
 * through the fragments it spreads: `Type.field`, `Type.field.argument`, `Input.field`, `Enum.VALUE` for
 * enum literals, and every named type reached; introspection and `__typename` left out, as no schema
 * change can break them. What gateways record of traffic, and what the registry checks changes against. Anything the schema does not know is skipped, so operations that do not
 * validate still report what they use of it.
 */
export function coordinatesUsedBy(document: DocumentNode, apiSchema: GraphQLSchema, operationName?: string): string[] {
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
  );
  if (operationName !== undefined && operations.length === 0) {
    // Silently using nothing would let every breaking change through as safe.
    throw new Error(`The document has no operation named "${operationName}".`);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const coordinates = new Set<string>();
  const pending: ASTNode[] = [...operations];
  const spread = new Set<string>();
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const typeInfo = new TypeInfo(apiSchema);
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        VariableDefinition() {
          const type = typeInfo.getInputType();
          if (type) coordinates.add(getNamedType(type).name);
        },
        Field(field) {
          const parent = typeInfo.getParentType();
          const definition = typeInfo.getFieldDef();
          if (!parent || !definition || field.name.value.startsWith('__')) return;
          coordinates.add(parent.name);
          coordinates.add(`${parent.name}.${definition.name}`);
          coordinates.add(getNamedType(definition.type).name);
        },
        Argument() {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          const argument = typeInfo.getArgument();
          // A directive's argument (`@include(if:)`) is the directive's, not the field's.
          if (!parent || !field || !argument || typeInfo.getDirective()) return;
          coordinates.add(`${parent.name}.${field.name}.${argument.name}`);
          coordinates.add(getNamedType(argument.type).name);
        },
        ObjectField(objectField) {
          const parent = typeInfo.getParentInputType();
          const type = typeInfo.getInputType();
          if (!parent || !type) return;
          coordinates.add(`${getNamedType(parent).name}.${objectField.name.value}`);
          coordinates.add(getNamedType(type).name);
        },
        EnumValue(literal) {
          const type = typeInfo.getInputType();
          if (type && typeInfo.getEnumValue()) coordinates.add(`${getNamedType(type).name}.${literal.value}`);
        },
        FragmentSpread(fragmentSpread) {
          const name = fragmentSpread.name.value;
          const fragment = fragments.get(name);
          if (fragment && !spread.has(name)) {
            spread.add(name);
            pending.push(fragment);
          }
        },
      }),
    );
  }
  return [...coordinates].sort();
}
