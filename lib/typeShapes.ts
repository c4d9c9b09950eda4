import type { GraphQLCompositeType, GraphQLNamedType, GraphQLOutputType } from 'graphql';

/**
 * Type predicates for a schema that is Apollo's graphql-js instance, which need not be the caller's
 * (vitest loads graphql's ESM build, Node its CommonJS one): types are told apart by their shape,
 * never by `instanceof` (`isObjectType` and the like).
 */

/** The named type under every list and non-null wrapper. */
export function namedType(type: GraphQLOutputType): GraphQLNamedType {
  let named: GraphQLOutputType = type;
  while ('ofType' in named) named = named.ofType;
  return named;
}

export function isNonNull(type: GraphQLOutputType): type is GraphQLOutputType & { ofType: GraphQLOutputType } {
  return type.toString().endsWith('!');
}

/** Object, interface and union types: what a selection set selects from. */
export function isComposite(type: GraphQLNamedType): type is GraphQLCompositeType {
  return 'getInterfaces' in type || 'getTypes' in type;
}
