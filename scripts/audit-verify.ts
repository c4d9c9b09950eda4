/**
 * `npm run audit:verify -- <agency> [--postgres <database url>] [--expect <position>:<hash>]`: walks
 * an agency's access record and checks every link of its hash chain (see
 * subgraphs/shared/accessRecord.ts). Exits 0 when it is intact, printing how many entries and the head
 * (`<position>:<hash>`: keep it elsewhere, and `--expect` it later to show that nothing from there on
 * was cut or rewritten, which a chain alone cannot show); exits 1 naming the first altered, inserted
 * or deleted entry. `<agency>` is a subgraph (identity, transport, taxes, portal) or an agency code
 * (RENIEC, MTC, SAT, SUNARP, SUNAT, PCM): every record that may hold that agency's entries is checked,
 * its own subgraph's and the portal's (which records reads of applications under the procedure's
 * agency). The database is each subgraph's own, as configured (`<NAME>_DATABASE_URL`, else its
 * embedded folder under `PGLITE_DIR`), or, for one subgraph, the one `--postgres` names. It only reads.
 */
import { parseArgs } from 'node:util';
import { configOrExit, ConfigError } from '../lib/settings.js';
import { hashAt, verifyAccessRecord } from '../subgraphs/shared/accessRecord.js';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/shared/config.js';
import { openAgencyDatabase } from '../subgraphs/shared/start.js';

const USAGE = `Usage: npm run audit:verify -- <${SUBGRAPH_NAMES.join('|')}> [--postgres <database url>] [--expect <position>:<hash>]`;

/** The records an agency's entries may be in: its facts' subgraph's, and the portal's (its applications). */
const RECORDS_OF_AGENCY: Record<string, SubgraphName[]> = {
  RENIEC: ['identity', 'portal'],
  MTC: ['transport', 'portal'],
  SAT: ['transport', 'portal'],
  SUNARP: ['transport', 'portal'],
  SUNAT: ['taxes', 'portal'],
  PCM: ['portal'],
};

function readOptions() {
  const { values, positionals } = parseArgs({ options: { postgres: { type: 'string' }, expect: { type: 'string' } }, allowPositionals: true });
  const [asked, ...extra] = positionals;
  if (!asked || extra.length) throw new ConfigError(`Name one agency. ${USAGE}`);
  const names = (SUBGRAPH_NAMES as string[]).includes(asked) ? [asked as SubgraphName] : RECORDS_OF_AGENCY[asked.toUpperCase()];
  if (!names) throw new ConfigError(`"${asked}" is neither a subgraph nor an agency with an access record. ${USAGE}`);
  if (values.postgres !== undefined && !URL.canParse(values.postgres)) throw new ConfigError(`--postgres must be a database URL, not "${values.postgres}".`);
  if (values.postgres !== undefined && names.length > 1) {
    throw new ConfigError(`${asked}'s entries are in ${names.join(' and ')}: name one subgraph with --postgres. ${USAGE}`);
  }
  const kept = values.expect === undefined ? null : /^(\d+):([0-9a-f]{64})$/.exec(values.expect);
  if (values.expect !== undefined && !kept) throw new ConfigError(`--expect must be <position>:<hash> as audit:verify printed them, not "${values.expect}".`);
  if (kept && names.length > 1) throw new ConfigError(`--expect names one record's head: name one subgraph, not ${asked}. ${USAGE}`);
  const expected = kept ? { position: Number(kept[1]), hash: kept[2]! } : null;
  return names.map((name) => ({ name, expected, location: values.postgres ? { databaseUrl: values.postgres } : loadSubgraphConfig(name) }));
}

/** 0 intact, 1 not intact, 2 not readable: each record's verdict on a line of its own. */
async function verify(name: SubgraphName, location: Parameters<typeof openAgencyDatabase>[1], expected: { position: number; hash: string } | null): Promise<number> {
  try {
    const db = await openAgencyDatabase(name, location);
    try {
      const verification = await verifyAccessRecord(db);
      if (verification.problem) {
        console.error(`${name}: the access record is NOT intact: ${verification.problem.message}.`);
        return 1;
      }
      if (expected && (await hashAt(db, expected.position)) !== expected.hash) {
        console.error(`${name}: the access record is NOT intact: entry ${expected.position} is not the one kept (its hash was ${expected.hash}): the record was cut or rewritten from there.`);
        return 1;
      }
      const head = verification.headHash ? `${verification.entries}:${verification.headHash}` : '(empty)';
      console.log(`${name}: the access record is intact: ${verification.entries} entries, head ${head}.`);
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    const message = (error as Error).message;
    console.error(`${name}: the access record could not be read: ${/access_record/.test(message) ? 'this database has none (was the subgraph ever started?)' : message}`);
    return 2;
  }
}

let exitCode = 0;
for (const { name, location, expected } of configOrExit(readOptions)) {
  const verdict = await verify(name, location, expected);
  // Not intact outranks not readable: it is what an auditor must hear.
  if (verdict === 1 || (verdict === 2 && exitCode === 0)) exitCode = verdict;
}
process.exit(exitCode);
