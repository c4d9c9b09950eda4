import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { seedTransport } from './seed.js';
import { TransportStore } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** MTC (licences, medical exams, vehicles) and SAT Lima (traffic fines), as one subgraph. */
export const transportService: SubgraphService = {
  name: 'transport',
  migrations: new URL('./migrations/', import.meta.url),
  typeDefs,
  seed: seedTransport,
  create: (deps) =>
    createSubgraphServer({
      name: 'transport',
      typeDefs,
      resolvers,
      deps,
      buildContext: buildContext(new TransportStore(deps.db)),
    }),
};
