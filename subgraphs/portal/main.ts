import { runSubgraph } from '../shared/start.js';
import { portalService } from './createSubgraph.js';

await runSubgraph(portalService);
