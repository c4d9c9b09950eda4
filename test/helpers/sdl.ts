import { parse, print, visit, type DocumentNode } from 'graphql';
import { expect } from 'vitest';
import { graphql } from './graphql.js';
import type { RunningSubgraph } from './subgraph.js';

/**
 * Each named definition of `document`, printed, without federation's own root fields (`_entities`,
 * `_service`) and with descriptions printed alike whether written "..." or """...""".
 */
export function definitionsByName(document: DocumentNode): Map<string, string> {
  const normalised = visit(document, {
    StringValue: (node) => ({ ...node, block: false }),
    FieldDefinition: (node) => (node.name.value.startsWith('_') ? null : undefined),
  });
  return new Map(
    normalised.definitions.flatMap((definition) => ('name' in definition && definition.name ? [[definition.name.value, print(definition)]] : [])),
  );
}

/**
 * Asks `subgraph` for its SDL through `_service`, as the gateway would (with its assertion), and checks
 * that every definition of `typeDefs` (its schema.graphql) is in it unchanged: every type, field, key,
 * directive and description. The published SDL also has federation's own definitions. Returns it, as
 * published.
 */
export async function expectPublishedSdl(subgraph: RunningSubgraph, typeDefs: DocumentNode): Promise<string> {
  const response = await graphql(subgraph.url, '{ _service { sdl } }', undefined, await subgraph.as(null));
  expect(response.errors).toBeUndefined();
  const sdl: string = response.data._service.sdl;
  const published = definitionsByName(parse(sdl));
  const ours = definitionsByName(typeDefs);
  expect(ours.size).toBeGreaterThan(0);
  for (const [name, definition] of ours) expect(published.get(name), name).toBe(definition);
  return sdl;
}
