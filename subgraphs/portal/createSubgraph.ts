import { DATA_ACCESS_RECORD } from '../shared/dataAccess.js';
import type { PersonalDataPolicy } from '../shared/personalData.js';
import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext, type PortalContext } from './context.js';
import { fillDueDates } from './dueDates.js';
import { portalDataAccessResolvers } from './resolvers/DataAccessConnection.js';
import { resolvers } from './resolvers/index.js';
import type { StartApplicationPayloadParent } from './resolvers/StartApplicationPayload.js';
import { seedPortal } from './seed.js';
import { PortalStore, type ApplicationRecord } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** The same words for a case number that is someone else's and one that does not exist. */
const NOT_YOURS = 'No application of yours has this case number.';

/** An application is its citizen's, and its procedure's agency owns it. */
async function applicationFacts(application: ApplicationRecord, { loaders }: PortalContext) {
  const procedure = await loaders.procedure.load(application.procedureSlug);
  return { subject: application.dni, owner: procedure?.agencyCode ?? null };
}

/** Who may read the portal's records. Reads of a citizen's list of applications are PCM's: the platform keeps it. */
const portalPersonalData: PersonalDataPolicy<PortalContext> = {
  owner: 'PCM',
  records: {
    // Its applications and who read its data: one refusal for both.
    Citizen: { facts: ({ dni }: { dni: string }) => ({ subject: dni, owner: null }), denied: "You may not see this citizen's records." },
    Application: { facts: applicationFacts, denied: NOT_YOURS },
    // Its application's reads are recorded, field by field; the payload itself adds nothing to record.
    StartApplicationPayload: { facts: (payload: StartApplicationPayloadParent, context: PortalContext) => applicationFacts(payload.application, context), denied: NOT_YOURS, unrecorded: true },
    DataAccessConnection: DATA_ACCESS_RECORD,
  },
};

/** The platform's own subgraph: the procedures catalogue, the single intake and the tracker of applications. */
export const portalService: SubgraphService = {
  name: 'portal',
  migrations: new URL('./migrations/', import.meta.url),
  typeDefs,
  seed: seedPortal,
  create: async (deps) => {
    await fillDueDates(deps.db);
    return createSubgraphServer<PortalContext>({
      name: 'portal',
      typeDefs,
      resolvers: { ...resolvers, DataAccessConnection: portalDataAccessResolvers(deps.db) },
      deps,
      personalData: portalPersonalData,
      buildContext: buildContext(new PortalStore(deps.db)),
    });
  },
};
