import { runSubgraph } from '../shared/start.js';
import { taxesService } from './createSubgraph.js';

await runSubgraph(taxesService);
