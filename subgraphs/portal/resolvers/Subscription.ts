import { badUserInput, forbidden } from '../../../lib/errors.js';
import { citizenDni } from '../../shared/auth.js';
import type { PortalContext } from '../context.js';
import type { ApplicationFeed, ApplicationUpdate } from '../liveUpdates.js';

/** An event id as the portal makes them (a bigserial); anything else is no id of ours. */
const EVENT_ID = /^\d{1,18}$/;

/** The live tracker over `feed`: built per server, since the feed is the server's. */
export function subscriptionResolvers(feed: ApplicationFeed) {
  return {
    applicationUpdated: {
      subscribe(_parent: unknown, _args: unknown, context: PortalContext) {
        // Officials and services pass @authenticated, and a case of their agency is no stream of theirs.
        const dni = citizenDni(context.caller);
        if (!dni) throw forbidden('Solo un ciudadano sigue sus propias solicitudes.');
        const after = context.lastEventId ?? null;
        if (after !== null && !EVENT_ID.test(after)) throw badUserInput('Last-Event-ID no es el id de un evento de este flujo.', 'Last-Event-ID');
        return feed.follow(dni, after);
      },
      resolve: (update: ApplicationUpdate) => update.applicationUpdated,
    },
  };
}
