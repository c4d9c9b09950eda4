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
  /** The documents it has been sent, oldest first. */
  queries(): string[];
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

/**
 * A toy with every authorization directive, for the gateway's enforcement of them: it never checks
 * access itself, so whatever the gateway lets through, it answers. `wipes` counts executed mutations.
 */
let wipes = 0;
const VAULT = {
  typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
    type Box @key(fields: "id") {
      id: ID!
      label: String!
      diary: String @policy(policies: [["data-subject"]])
      code: String! @policy(policies: [["official-of:VAULT"], ["service-with:vault:read"]])
    }
    type Query {
      open: String!
      signedIn: String @authenticated
      scoped: String @requiresScopes(scopes: [["vault:read"], ["vault:admin"]])
      mystery: String @policy(policies: [["nonsense"]])
      boxes: [Box!]!
      box: Box!
    }
    type Mutation { wipe: Boolean! @policy(policies: [["service-with:vault:write"]]) }`),
  resolvers: {
    Query: {
      open: () => 'open',
      signedIn: () => 'signed in',
      scoped: () => 'scoped',
      mystery: () => 'mystery',
      boxes: () => [1, 2].map((id) => ({ id: String(id), label: `box ${id}`, diary: `diary ${id}`, code: `code ${id}` })),
      box: () => ({ id: '1', label: 'box 1', diary: 'diary 1', code: 'code 1' }),
    },
    Mutation: {
      wipe: () => {
        wipes += 1;
        return true;
      },
    },
  },
};

/** How many times the vault's `wipe` ran. */
export const vaultWipes = () => wipes;

export const TOYS = { people: PEOPLE, pets: PETS, vault: VAULT };
export type ToyName = keyof typeof TOYS;

/** Starts toy subgraph `name` on `port` (0: any free one). */
export async function startToySubgraph(name: ToyName, port = 0): Promise<ToySubgraph> {
  const { typeDefs, resolvers } = TOYS[name];
  const queries: string[] = [];
  const server = new ApolloServer<ToyContext>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]),
    logger: pino({ level: 'silent' }),
    plugins: [{ requestDidStart: async ({ request }) => void queries.push(request.query ?? '') }],
  });
  let requests = 0;
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => {
      requests += 1;
      return { headers: req.headers };
    },
  });
  return { name, url, typeDefs, requests: () => requests, queries: () => [...queries], close: () => server.stop() };
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
