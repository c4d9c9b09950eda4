import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from './logger.js';
import { costRefusal } from './queryLimits.js';

/**
 * Refuses an operation that would cost more than `maxCost` (see `operationCost`) with HTTP 400
 * GRAPHQL_VALIDATION_FAILED. It runs once the operation is known and before the gateway plans it: the
 * depth and alias limits are validation rules, checked once per document, but a cost depends on the
 * page sizes a request's variables give.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin<{ logger: Logger }> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // operationResolutionPlugin refuses it
          const refusal = costRefusal(schema, document, operation, request.variables, maxCost);
          if (!refusal) return;
          contextValue.logger.info({ operationName: request.operationName ?? null, cost: refusal.cost, maxCost }, 'operation refused: too costly');
          throw refusal.error;
        },
      };
    },
  };
}
