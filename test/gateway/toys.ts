/**
 * Two toy subgraphs for testing the gateway as the general product it is: any Federation 2
 * supergraph, nothing of Ventanilla's domain. `people` owns Person; `pets` extends it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type DocumentNode } from 'graphql';
import pino, { type Logger } from 'pino';
import { composeSupergraph, formatProblems } from '../../schema/compose.js';

interface ToyContext {
  headers: IncomingHttpHeaders;
}

/** A toy subgraph listening on 127.0.0.1. */
export interface ToySubgraph {
  name: string;
  url: string;
  typeDefs: DocumentNode;
  /** How many operations it has been asked, health checks included. */
  requests(): number;
  close(): Promise<void>;
}

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const PEOPLE = {
  typeDefs: parse(`${FEDERATION}
    type Person @key(fields: "id") { id: ID! name: String! }
    enum Colour { RED GREEN }
    "What the subgraph received from the gateway."
    type Echo { authorization: String requestId: String cookie: String custom: String }
    type Query {
      people: [Person!]!
      echo: Echo!
      boom: String
      favourite(colour: Colour!): Colour!
    }`),
  resolvers: {
    Query: {
      people: () => [{ id: '1', name: 'Ana' }, { id: '2', name: 'Luis' }],
      echo: (_: unknown, __: unknown, { headers }: ToyContext) => ({
        authorization: headers.authorization ?? null,
        requestId: headers['x-request-id'] ?? null,
        cookie: headers.cookie ?? null,
        custom: headers['x-custom'] ?? null,
      }),
      boom: () => {
        throw new Error('connect ECONNREFUSED postgres://admin:hunter2@10.0.0.7/people');
      },
      favourite: (_: unknown, { colour }: { colour: string }) => colour,
    },
    Person: {
      __resolveReference: ({ id }: { id: string }) => ({ id, name: id === '1' ? 'Ana' : 'Luis' }),
    },
  },
};

const PETS = {
  typeDefs: parse(`${FEDERATION}
    type Person @key(fields: "id") { id: ID! pets: [String!] }
    type Query { petCount: Int! }`),
  resolvers: {
    Query: { petCount: () => 3 },
    Person: {
      __resolveReference: ({ id }: { id: string }) => ({ id, pets: id === '1' ? ['Michi', 'Firulais'] : ['Boby'] }),
    },
  },
};

export const TOYS = { people: PEOPLE, pets: PETS };
export type ToyName = keyof typeof TOYS;

/** Starts toy subgraph `name` on `port` (0: any free one). */
export async function startToySubgraph(name: ToyName, port = 0): Promise<ToySubgraph> {
  const { typeDefs, resolvers } = TOYS[name];
  const server = new ApolloServer<ToyContext>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]),
    logger: pino({ level: 'silent' }),
  });
  let requests = 0;
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => {
      requests += 1;
      return { headers: req.headers };
    },
  });
  return { name, url, typeDefs, requests: () => requests, close: () => server.stop() };
}

/** The supergraph of `subgraphs`, with their current URLs. */
export function toySupergraph(subgraphs: readonly ToySubgraph[]): string {
  const composition = composeSupergraph(
    subgraphs.map((subgraph) => ({ name: subgraph.name, routingUrl: subgraph.url, typeDefs: subgraph.typeDefs })),
  );
  if (composition.errors) throw new Error(formatProblems(composition.errors));
  return composition.supergraphSdl;
}

/** A logger whose JSON lines the test can read, e.g. to wait for a reload to be refused. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}
