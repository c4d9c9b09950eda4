import { DATA_ACCESS_RECORD, dataAccessResolvers } from '../shared/dataAccess.js';
import { APPLICATION_RECORD } from '../shared/requirementChecks.js';
import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import type { CitizenRef } from './resolvers/Citizen.js';
import { applicantFacts } from './resolvers/Applicant.js';
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
      resolvers: { ...resolvers, DataAccessConnection: dataAccessResolvers('identity', deps.db) },
      deps,
      personalData: {
        owner: 'RENIEC',
        records: {
          Citizen: { facts: (citizen: CitizenRef) => ({ subject: citizen.dni, owner: 'RENIEC' }), denied: "You may not see this citizen's RENIEC records." },
          Applicant: { facts: applicantFacts, denied: 'No puedes ver a quien presentó esta solicitud.' },
          Application: APPLICATION_RECORD,
          DataAccessConnection: DATA_ACCESS_RECORD,
        },
      },
      buildContext: buildContext(new IdentityStore(deps.db)),
    }),
};
