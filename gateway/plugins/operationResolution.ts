import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * A document whose operation cannot be chosen (an `operationName` it does not contain, or several
 * operations and no name) is the client's mistake: HTTP 400 OPERATION_RESOLUTION_FAILURE. Apollo Server
 * says so on its own only without a gateway; with one, the gateway's executor throws a plain Error,
 * which would be masked as an unexpected 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `The document has no operation named "${request.operationName}".`
            : 'The document has several operations: say which one to run with operationName.';
          throw new GraphQLError(message, {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        },
      };
    },
  };
}
