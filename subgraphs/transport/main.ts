import { runSubgraph } from '../shared/start.js';
import { transportService } from './createSubgraph.js';

await runSubgraph(transportService);
