import type { GatewayContext } from '../context.js';

/** One HTTP request from the gateway to a subgraph, as each wrapper of the chain sees it. */
export interface SubgraphRequest {
  /** The subgraph's name in the supergraph. */
  subgraph: string;
  url: string;
  /** What `fetch` is given; wrappers may add headers or a signal. */
  init: Omit<RequestInit, 'headers'> & { headers: Record<string, string> };
  /** The client request this fetch serves; null for the gateway's own (health checks, schema loads). */
  context: GatewayContext | null;
}

/** Sends a request to a subgraph: `fetch` at the end of the chain, a wrapper anywhere before. */
export type SubgraphFetch = (request: SubgraphRequest) => Promise<Response>;

/** One concern of the traffic to subgraphs (a timeout, the assertion, ...), wrapped around the rest. */
export type TrafficWrapper = (next: SubgraphFetch) => SubgraphFetch;

/** The chain `first(second(...(fetch)))`: the first wrapper sees a request first and its answer last. */
export function chainTraffic(wrappers: readonly TrafficWrapper[], send: SubgraphFetch = ({ url, init }) => fetch(url, init)): SubgraphFetch {
  return wrappers.reduceRight((next, wrap) => wrap(next), send);
}
