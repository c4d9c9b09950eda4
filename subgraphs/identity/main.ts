import { runSubgraph } from '../shared/start.js';
import { identityService } from './createSubgraph.js';

await runSubgraph(identityService);
