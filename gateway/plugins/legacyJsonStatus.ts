import type { ApolloServerPlugin } from '@apollo/server';

/** The request errors of a well-formed request: the document or its variables, not the HTTP request. */
const DOCUMENT_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * The GraphQL over HTTP specification asks for HTTP 200 on a document that does not parse, validate
 * or coerce its variables when the client accepts only `application/json` (the media type of clients
 * older than `application/graphql-response+json`, which read errors from the body whatever the status).
 * Apollo Server says 400 whatever the client accepts; a client that names the new media type, or
 * any (`*\/*`, no Accept), keeps the 400.
 */
export function legacyJsonStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      if (!acceptsOnlyJson(request.http?.headers.get('accept'))) return;
      return {
        async willSendResponse({ response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single' || 'data' in response.body.singleResult) return;
          const codes = (response.body.singleResult.errors ?? []).map((error) => error.extensions?.code);
          if (codes.length && codes.every((code) => typeof code === 'string' && DOCUMENT_ERROR_CODES.has(code))) response.http.status = 200;
        },
      };
    },
  };
}

function acceptsOnlyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json') && !types.includes('*/*');
}
