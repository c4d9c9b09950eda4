import { identityService } from './identity/createSubgraph.js';
import { transportService } from './transport/createSubgraph.js';
import { taxesService } from './taxes/createSubgraph.js';
import { portalService } from './portal/createSubgraph.js';
import type { SubgraphService } from './shared/service.js';

/** The four subgraphs of the platform, in the order they are started and seeded. */
export const SERVICES: readonly SubgraphService[] = [identityService, transportService, taxesService, portalService];
