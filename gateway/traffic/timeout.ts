import type { TrafficWrapper } from './chain.js';

/**
 * A hung subgraph must not hold the whole request: past its limit (`timeoutMs(subgraph)`) the fetch,
 * retries included, fails and that subgraph counts as unavailable.
 */
export function timeout(timeoutMs: (subgraph: string) => number): TrafficWrapper {
  return (next) => (request) => {
    const limit = AbortSignal.timeout(timeoutMs(request.subgraph));
    const signal = request.init.signal ? AbortSignal.any([request.init.signal, limit]) : limit;
    return next({ ...request, init: { ...request.init, signal } });
  };
}
