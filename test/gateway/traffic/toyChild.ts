/** A toy subgraph in its own process, to be stalled (SIGSTOP) and killed: `toyChild.ts <name> [port]`; prints its URL. */
import { startToySubgraph, type ToyName } from '../toys.js';

const toy = await startToySubgraph(process.argv[2] as ToyName, Number(process.argv[3] ?? 0));
process.stdout.write(`${toy.url}\n`);
