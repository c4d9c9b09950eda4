import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { seedIdentity } from './seed.js';
import { IdentityStore } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** RENIEC's subgraph: citizens, their identity documents and civil records. */
export const identityService: SubgraphService = {
  name: 'identity',
  migrations: new URL('./migrations/', import.meta.url),
  typeDefs,
  seed: seedIdentity,
  create: (deps) =>
    createSubgraphServer({
      name: 'identity',
      typeDefs,
      resolvers,
      deps,
      buildContext: buildContext(new IdentityStore(deps.db)),
    }),
};
