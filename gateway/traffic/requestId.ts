import type { TrafficWrapper } from './chain.js';

/**
 * Sends the request id as `x-request-id` too, for subgraphs that log it without reading the
 * assertion; Ventanilla's own take it from the assertion, which is signed.
 */
export function requestId(): TrafficWrapper {
  return (next) => (request) =>
    next(request.context ? { ...request, init: { ...request.init, headers: { ...request.init.headers, 'x-request-id': request.context.requestId } } } : request);
}
