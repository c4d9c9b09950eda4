import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError, Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from 'graphql';
import { OPERATION_NOT_TRUSTED } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { GatewayContext } from './context.js';

/** A document the platform vouches for, by the SHA-256 of its text (the hash APQ clients send). */
export interface TrustedDocument {
  sha256: string;
  source: string;
  /** The file it comes from, and the operation when it is one operation printed alone. */
  origin: string;
}

/**
 * The trusted documents in `paths` (files, or folders whose `*.graphql` files are read): each file as
 * it is, for clients that send the whole document with an `operationName`, and each operation alone
 * with the fragments it uses, printed by graphql-js's `print`, for clients that send one operation.
 * A file that does not parse stops the start: a contract the gateway cannot read is a deployment error.
 */
export async function loadTrustedDocuments(paths: readonly string[]): Promise<TrustedDocument[]> {
  const files = (await Promise.all(paths.map(graphqlFilesIn))).flat();
  const documents = new Map<string, TrustedDocument>();
  const add = (source: string, origin: string) => {
    const sha256 = sha256Of(source);
    if (!documents.has(sha256)) documents.set(sha256, { sha256, source, origin });
  };
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      throw new Error(`The trusted document ${file} does not parse: ${(error as Error).message}`);
    }
    add(source, file);
    for (const operation of document.definitions) {
      if (operation.kind !== Kind.OPERATION_DEFINITION || !operation.name) continue;
      add(print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(operation, document)] }), `${file}#${operation.name.value}`);
    }
  }
  return [...documents.values()];
}

async function graphqlFilesIn(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new Error(`TRUSTED_DOCUMENTS names ${path}, which does not exist.`);
  });
  if (!info.isDirectory()) return [path];
  return (await readdir(path)).filter((name) => name.endsWith('.graphql')).sort().map((name) => join(path, name));
}

function fragmentsUsedBy(definition: DefinitionNode, document: DocumentNode): FragmentDefinitionNode[] {
  const fragments = new Map(document.definitions.filter((node): node is FragmentDefinitionNode => node.kind === Kind.FRAGMENT_DEFINITION).map((node) => [node.name.value, node]));
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || used.has(fragment.name.value)) return;
        used.set(fragment.name.value, fragment);
        collect(fragment);
      },
    });
  collect(definition);
  return [...used.values()];
}

export function sha256Of(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** Where a trusted document is kept in the shared store: APQ's own key, so that clients may send its hash alone. */
const APQ_PREFIX = 'apq:';
/** The mark of a trusted document in the shared store, beside its APQ entry, for every replica to see. */
const TRUSTED_PREFIX = 'trusted:';

/**
 * Puts every trusted document in the shared store, as a persisted query with no expiry and marked
 * trusted. Redis down at start: each replica still knows its own (the check looks at them first).
 */
export async function registerTrustedDocuments(documents: readonly TrustedDocument[], cache: KeyValueCache<string>, logger: Logger): Promise<void> {
  await Promise.all(documents.flatMap(({ sha256, source }) => [cache.set(APQ_PREFIX + sha256, source), cache.set(TRUSTED_PREFIX + sha256, '1')]));
  if (documents.length) logger.info({ documents: documents.length }, 'trusted documents registered');
}

/**
 * With `anonymous: 'trusted'`, an anonymous caller may send only trusted documents (by text or by
 * hash): anything else is refused with OPERATION_NOT_TRUSTED (HTTP 403) before it is planned. A
 * signed-in caller may send any operation. With `anonymous: 'any'`, nobody is refused.
 */
export function trustedDocumentsPlugin(options: { anonymous: 'any' | 'trusted'; documents: () => ReadonlySet<string>; cache: KeyValueCache<string> }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      if (options.anonymous === 'any') return;
      return {
        async didResolveOperation({ contextValue, queryHash }) {
          if (contextValue.caller !== null) return;
          if (options.documents().has(queryHash)) return;
          if ((await options.cache.get(TRUSTED_PREFIX + queryHash)) !== undefined) return;
          throw new GraphQLError('Anonymous callers may send only the platform’s registered operations (its trusted documents): send one of them, by its text or its hash, or sign in.', {
            extensions: { code: OPERATION_NOT_TRUSTED, http: { status: 403 } },
          });
        },
      };
    },
  };
}
