import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * One log line per operation: name, duration, HTTP status and error codes, bound to the request id
 * (the same id the subgraphs log), so a slow or failing request can be followed across services.
 */
export function requestLoggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, request, response, errors }) {
          contextValue.logger.info(
            {
              // The name in the document once it is resolved; what the client said when it never was (a parse error).
              operationName: operationName ?? request.operationName ?? null,
              durationMs: Math.round(performance.now() - started),
              httpStatus: response.http.status ?? 200,
              errorCodes: (errors ?? []).map((error) => error.extensions.code ?? 'UNKNOWN'),
            },
            'operation',
          );
        },
      };
    },
  };
}
