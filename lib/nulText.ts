import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';

/**
 * Refuses, with HTTP 400 BAD_USER_INPUT, an operation with a NUL character (U+0000) in any string of
 * its document or its variables. No text the platform keeps or looks up can hold one (PostgreSQL's text
 * refuses it, so a NUL reaching SQL fails as an unexpected error), and no legitimate client sends one.
 */
export function refuseNulTextPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          if (!documentHasNul(document) && !valueHasNul(request.variables)) return;
          throw new GraphQLError('Text may not contain the NUL character (U+0000).', {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
        },
      };
    },
  };
}

function documentHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes('\0')) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

function valueHasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(valueHasNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, entry]) => key.includes('\0') || valueHasNul(entry));
  return false;
}
