import type { RecordFacts } from '../../lib/access.js';
import { openSharedStore } from '../../lib/redis.js';
import { DATA_ACCESS_RECORD } from '../shared/dataAccess.js';
import type { PersonalDataPolicy } from '../shared/personalData.js';
import { createSubgraphServer, loadTypeDefs, type SubgraphService } from '../shared/service.js';
import { buildContext, type PortalContext } from './context.js';
import { fillDueDates } from './dueDates.js';
import { ApplicationFeed } from './liveUpdates.js';
import { portalDataAccessResolvers } from './resolvers/DataAccessConnection.js';
import { resolvers } from './resolvers/index.js';
import type { StartApplicationPayloadParent } from './resolvers/StartApplicationPayload.js';
import { subscriptionResolvers } from './resolvers/Subscription.js';
import { seedPortal } from './seed.js';
import { PortalStore, type ApplicationRecord } from './store.js';

const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));

/** How long a starting portal waits for Redis before serving without it for now. */
const REDIS_WAIT_MS = 2000;

/** The same words for a case number that is someone else's and one that does not exist. */
const NOT_YOURS = 'No tienes ninguna solicitud con este número de expediente.';

/** An application is its citizen's, its procedure's agency owns it, and it is its own case, handled by that agency. */
async function applicationFacts(application: ApplicationRecord, { loaders }: PortalContext): Promise<RecordFacts> {
  const procedure = await loaders.procedure.load(application.procedureSlug);
  if (!procedure) return { subject: application.dni, owner: null };
  return { subject: application.dni, owner: procedure.agencyCode, case: { id: application.id, agency: procedure.agencyCode } };
}

/** Who may read the portal's records. Reads of a citizen's list of applications are PCM's: the platform keeps it. */
const portalPersonalData: PersonalDataPolicy<PortalContext> = {
  owner: 'PCM',
  records: {
    // Its applications and who read its data: one refusal for both.
    Citizen: { facts: ({ dni }: { dni: string }) => ({ subject: dni, owner: null }), denied: "You may not see this citizen's records." },
    Application: { facts: applicationFacts, denied: NOT_YOURS },
    // An intake is whoever asked for it. The reads of the application it makes are recorded, field by
    // field; the payload itself adds nothing to record.
    StartApplicationPayload: { facts: ({ dni }: StartApplicationPayloadParent) => ({ subject: dni, owner: null }), denied: NOT_YOURS, unrecorded: true },
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
    const shared = deps.redis ? openSharedStore({ url: deps.redis.url, keyPrefix: deps.redis.keyPrefix, logger: deps.logger }) : null;
    // A replica starting beside a working Redis tells the others of its first change (a notice
    // published before the connection is up would fail open, and be lost); a Redis that is down
    // holds nothing up for long.
    await shared?.connected(REDIS_WAIT_MS);
    // The store tells the feed of each event it writes; the feed reads them back through the store.
    const store: PortalStore = new PortalStore(deps.db, (change) => feed.changed(change));
    const feed = new ApplicationFeed(store, deps.logger, shared && deps.redis ? { store: shared, keyPrefix: deps.redis.keyPrefix } : null);
    const server = await createSubgraphServer<PortalContext>({
      name: 'portal',
      typeDefs,
      resolvers: { ...resolvers, DataAccessConnection: portalDataAccessResolvers(deps.db), Subscription: subscriptionResolvers(feed) },
      deps,
      personalData: portalPersonalData,
      buildContext: buildContext(store),
    });
    return {
      app: server.app,
      async stop() {
        feed.close();
        await server.stop();
        await shared?.close();
      },
    };
  },
};
