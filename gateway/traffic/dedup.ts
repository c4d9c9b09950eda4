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
 * body, and the same caller and purpose (what the assertion says), so that no caller ever gets an
 * answer computed for another. Each waiter gets its own Response. Mutations always go through.
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
  return JSON.stringify([subgraph, url, init.body, context ? [context.caller, context.purpose] : null]);
}
