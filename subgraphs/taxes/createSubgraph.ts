import { DATA_ACCESS_RECORD, dataAccessResolvers } from '../shared/dataAccess.js';
import { APPLICATION_RECORD } from '../shared/requirementChecks.js';
import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext } from './context.js';
import type { CitizenReference } from './resolvers/Citizen.js';
import { resolvers } from './resolvers/index.js';
import { seedTaxes } from './seed.js';
import { TaxesStore, type TaxpayerRow } from './store.js';

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
      resolvers: { ...resolvers, DataAccessConnection: dataAccessResolvers('taxes', deps.db) },
      deps,
      personalData: {
        owner: 'SUNAT',
        records: {
          Citizen: { facts: (citizen: CitizenReference) => ({ subject: citizen.dni, owner: 'SUNAT' }), denied: "You may not see this citizen's tax records." },
          // A company's RUC is nobody's personal record: only SUNAT's officials and `taxes:read` services read it.
          Taxpayer: { facts: (taxpayer: TaxpayerRow) => ({ subject: taxpayer.dni, owner: 'SUNAT' }), denied: "You may not see this taxpayer's records." },
          Application: APPLICATION_RECORD,
          DataAccessConnection: DATA_ACCESS_RECORD,
        },
      },
      buildContext: buildContext(new TaxesStore(deps.db)),
    }),
};
