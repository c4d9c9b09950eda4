import { DATA_ACCESS_RECORD, dataAccessResolvers } from '../shared/dataAccess.js';
import { APPLICATION_RECORD } from '../shared/requirementChecks.js';
import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import type { CitizenReference } from './resolvers/Citizen.js';
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
  // Serves the service's own typeDefs, so that a build of it with a new SDL serves that SDL.
  create(deps) {
    return createSubgraphServer({
      name: 'transport',
      typeDefs: this.typeDefs,
      resolvers: { ...resolvers, DataAccessConnection: dataAccessResolvers('transport', deps.db) },
      deps,
      // Each field's rule names its owner (MTC, SAT or SUNARP); MTC answers for the subgraph otherwise.
      personalData: {
        owner: 'MTC',
        records: {
          Citizen: { facts: (citizen: CitizenReference) => ({ subject: citizen.dni, owner: null }), denied: "You may not see this citizen's transport records." },
          Application: APPLICATION_RECORD,
          DataAccessConnection: DATA_ACCESS_RECORD,
        },
      },
      buildContext: buildContext(new TransportStore(deps.db)),
    });
  },
};
