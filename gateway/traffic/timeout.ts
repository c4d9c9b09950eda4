import type { TrafficWrapper } from './chain.js';

/** A hung subgraph must not hold the whole request: past `timeoutMs` the fetch fails and that subgraph counts as unavailable. */
export function timeout(timeoutMs: number): TrafficWrapper {
  return (next) => (request) => {
    const limit = AbortSignal.timeout(timeoutMs);
    const signal = request.init.signal ? AbortSignal.any([request.init.signal, limit]) : limit;
    return next({ ...request, init: { ...request.init, signal } });
  };
}
