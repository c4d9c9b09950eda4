import type { SubgraphRequest, TrafficWrapper } from './chain.js';
import { operationKind } from './operation.js';

interface Answer {
  status: number;
  statusText: string;
  headers: Headers;
  body: ArrayBuffer;
}

/**
 * Identical queries to a subgraph in flight at the same time are sent once: same subgraph, URL and
 * body. A signed-in caller's are shared only within one request: a subgraph records every read of
 * personal data under the request id its assertion carries, and a second request answered from the
 * first's fetch would be missing from that record. Anonymous requests read public data only, so they
 * share across requests. A request that asked for a fresh answer (`GatewayContext.fresh`) shares
 * within itself only. Each waiter gets its own Response. Mutations always go through.
 */
export function dedup(): TrafficWrapper {
  const inFlight = new Map<string, Promise<Answer>>();
  return (next) => async (request) => {
    if (operationKind(request.init.body) !== 'query') return next(request);
    const key = keyOf(request);
    let answer = inFlight.get(key);
    if (!answer) {
      answer = next(request).then(async (response) => ({
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        body: await response.arrayBuffer(),
      }));
      inFlight.set(key, answer);
      const forget = () => inFlight.delete(key);
      answer.then(forget, forget);
    }
    const { status, statusText, headers, body } = await answer;
    return new Response(body.slice(0), { status, statusText, headers: new Headers(headers) });
  };
}

function keyOf({ subgraph, url, init, context }: SubgraphRequest): string {
  const askedBy = !context ? 'gateway' : context.caller || context.fresh ? [context.caller, context.purpose, context.requestId] : 'anonymous';
  return JSON.stringify([subgraph, url, init.body, askedBy]);
}
