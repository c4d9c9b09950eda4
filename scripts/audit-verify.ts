/**
 * `npm run audit:verify -- <agency> [--postgres <database url>]`: walks an agency's access record and
 * checks every link of its hash chain (see subgraphs/shared/accessRecord.ts). Exits 0 when it is
 * intact, printing how many entries and the head hash (keep it elsewhere: it is what shows, later,
 * that no entry was appended or removed at the end); exits 1 naming the first altered, inserted or
 * deleted entry. `<agency>` is a subgraph (identity, transport, taxes, portal) or an agency code it
 * serves (RENIEC, MTC, SAT, SUNARP, SUNAT, PCM). The database is the subgraph's own, as configured
 * (`<NAME>_DATABASE_URL`, else its embedded folder under `PGLITE_DIR`), or the one `--postgres` names.
 * It only reads.
 */
import { parseArgs } from 'node:util';
import { configOrExit, ConfigError } from '../lib/settings.js';
import { verifyAccessRecord } from '../subgraphs/shared/accessRecord.js';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/shared/config.js';
import { openAgencyDatabase } from '../subgraphs/shared/start.js';

const USAGE = `Usage: npm run audit:verify -- <${SUBGRAPH_NAMES.join('|')}> [--postgres <database url>]`;

/** The agencies each subgraph's record speaks for: its reads are recorded under their codes. */
const SUBGRAPH_OF_AGENCY: Record<string, SubgraphName> = {
  RENIEC: 'identity',
  MTC: 'transport',
  SAT: 'transport',
  SUNARP: 'transport',
  SUNAT: 'taxes',
  PCM: 'portal',
};

function readOptions() {
  const { values, positionals } = parseArgs({ options: { postgres: { type: 'string' } }, allowPositionals: true });
  const [asked, ...extra] = positionals;
  if (!asked || extra.length) throw new ConfigError(`Name one agency. ${USAGE}`);
  const name = (SUBGRAPH_NAMES as string[]).includes(asked) ? (asked as SubgraphName) : SUBGRAPH_OF_AGENCY[asked.toUpperCase()];
  if (!name) throw new ConfigError(`"${asked}" is neither a subgraph nor an agency with an access record. ${USAGE}`);
  if (values.postgres !== undefined && !URL.canParse(values.postgres)) throw new ConfigError(`--postgres must be a database URL, not "${values.postgres}".`);
  const config = loadSubgraphConfig(name);
  return { name, location: values.postgres ? { databaseUrl: values.postgres } : config };
}

const { name, location } = configOrExit(readOptions);
let exitCode = 0;
try {
  const db = await openAgencyDatabase(name, location);
  try {
    const verification = await verifyAccessRecord(db);
    if (verification.problem) {
      console.error(`${name}: the access record is NOT intact: ${verification.problem.message}.`);
      exitCode = 1;
    } else {
      console.log(`${name}: the access record is intact: ${verification.entries} entries, head ${verification.headHash ?? '(empty)'}.`);
    }
  } finally {
    await db.close();
  }
} catch (error) {
  const message = (error as Error).message;
  console.error(`${name}: the access record could not be read: ${/access_record/.test(message) ? 'this database has none (was the subgraph ever started?)' : message}`);
  exitCode = 2;
}
process.exit(exitCode);
