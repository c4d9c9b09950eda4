import { Kind, parse, type OperationTypeNode } from 'graphql';

/**
 * The kind of operation a subgraph fetch carries (`query`, `mutation`, `subscription`), read from its
 * JSON body `{ query, operationName }`; null when it cannot be told, which callers treat as unsafe.
 */
export function operationKind(body: RequestInit['body']): OperationTypeNode | null {
  if (typeof body !== 'string') return null;
  try {
    const { query, operationName } = JSON.parse(body) as { query?: unknown; operationName?: unknown };
    if (typeof query !== 'string') return null;
    const operations = parse(query, { noLocation: true }).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const chosen = typeof operationName === 'string' ? operations.find((operation) => operation.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    return chosen?.operation ?? null;
  } catch {
    return null;
  }
}
