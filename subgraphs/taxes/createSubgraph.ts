import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { seedTaxes } from './seed.js';
import { TaxesStore } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** SUNAT's subgraph: taxpayers (RUC), their debts, and the tax requirements of procedures. */
export const taxesService: SubgraphService = {
  name: 'taxes',
  migrations: new URL('./migrations/', import.meta.url),
  typeDefs,
  seed: seedTaxes,
  create: (deps) =>
    createSubgraphServer({
      name: 'taxes',
      typeDefs,
      resolvers,
      deps,
      buildContext: buildContext(new TaxesStore(deps.db)),
    }),
};
