import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayContext } from '../../../gateway/context.js';
import type { SubgraphRequest } from '../../../gateway/traffic/chain.js';
import { createLogger } from '../../../lib/logger.js';

/** A plain HTTP server on port 0 answering with `answer`; counts the requests and connections it saw. */
export interface ToyServer {
  url: string;
  requests: number;
  connections: number;
  bodies: string[];
  answer: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function toyServer(answer: ToyServer['answer'] = ok): Promise<ToyServer> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      toy.requests++;
      toy.bodies.push(body);
      toy.answer(req, res);
    });
  });
  server.on('connection', () => toy.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const toy: ToyServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: 0,
    connections: 0,
    bodies: [],
    answer,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return toy;
}

export function ok(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { ok: true } }));
}

export function status(code: number) {
  return (_req: IncomingMessage, res: ServerResponse) => res.writeHead(code, { 'content-type': 'text/plain' }).end('no');
}

export const silent = createLogger('gateway', 'silent');

/** A client request's context, for the caller `sub`. */
export function contextOf(sub: string): GatewayContext {
  return { caller: { sub } as unknown as GatewayContext['caller'], purpose: null, requestId: `req-${sub}`, logger: silent };
}

export function query(url: string, document = '{ ok }', context: GatewayContext | null = null): SubgraphRequest {
  return {
    subgraph: 'toy',
    url,
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document, variables: {} }) },
    context,
  };
}
