import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext, type PortalContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { seedPortal } from './seed.js';
import { PortalStore } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** The platform's own subgraph: the procedures catalogue, the single intake and the tracker of applications. */
export const portalService: SubgraphService = {
  name: 'portal',
  migrations: new URL('./migrations/', import.meta.url),
  typeDefs,
  seed: seedPortal,
  create: (deps) =>
    createSubgraphServer<PortalContext>({
      name: 'portal',
      typeDefs,
      resolvers,
      deps,
      buildContext: buildContext(new PortalStore(deps.db)),
    }),
};
