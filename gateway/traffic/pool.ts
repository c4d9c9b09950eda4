import { Agent, fetch as undiciFetch } from 'undici';
import type { SubgraphFetch } from './chain.js';

/** How long an idle connection to a subgraph is kept for the next fetch. */
const KEEP_ALIVE_MS = 30_000;

/** The end of the traffic chain: sends over kept-alive connections, one pool per subgraph origin. */
export interface SubgraphPool {
  send: SubgraphFetch;
  /**
   * Closes every connection, ending fetches still in flight: it is called once the gateway has
   * stopped serving, and a stalled subgraph must not hold the stop.
   */
  close(): Promise<void>;
}

/**
 * Connections are reused per origin (scheme, host, port) rather than through the process-wide
 * dispatcher, so that one slow agency's sockets never queue another's fetches, and stop closes them.
 */
export function subgraphPool(): SubgraphPool {
  const agents = new Map<string, Agent>();
  return {
    send: ({ url, init }) => {
      const origin = new URL(url).origin;
      let agent = agents.get(origin);
      if (!agent) {
        agent = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, connections: null });
        agents.set(origin, agent);
      }
      // undici's Response is the one Node's global fetch returns, typed by another copy of undici.
      return undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent }) as unknown as Promise<Response>;
    },
    async close() {
      const closing = [...agents.values()].map((agent) => agent.destroy());
      agents.clear();
      await Promise.all(closing);
    },
  };
}
