/**
 * `npm run seed -- --citizens 100000 [--postgres postgres://postgres@127.0.0.1:5432] [--only identity,taxes] [--today 2026-11-26]`
 *
 * Writes the deterministic sample data (the five personas plus N generated citizens, the same DNIs in
 * every agency) into each subgraph's own database: the one its `<NAME>_DATABASE_URL` names, or with
 * `--postgres <server>` a database `ventanilla_<name>` on that server (created if missing), or else its
 * embedded PGlite folder. Safe to run again, any day: generated citizens' rows are kept, the personas'
 * are restated relative to the new day.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { SERVICES } from '../subgraphs/services.js';
import { configOrExit, ConfigError, parseWholeNumber } from '../lib/settings.js';
import { loadSubgraphConfig, SUBGRAPH_NAMES } from '../subgraphs/shared/config.js';
import { todayInPeru } from '../subgraphs/shared/calendar.js';
import { databaseUrlOn } from '../subgraphs/shared/db.js';
import { openServiceDatabase } from '../subgraphs/shared/start.js';

// The generated plates (two per citizen at most, in the 2010 format) run out past this many citizens.
const MAX_CITIZENS = 500_000;

/** The command line, checked: a mistake in it stops the script with a message (see configOrExit). */
function readOptions() {
  const { values } = parseArgs({
    options: {
      citizens: { type: 'string' },
      postgres: { type: 'string' },
      only: { type: 'string' },
      today: { type: 'string' },
    },
  });
  const citizens = parseWholeNumber(values.citizens, 1000, '--citizens', 0, MAX_CITIZENS);
  const today = values.today ? new Date(`${values.today}T00:00:00Z`) : todayInPeru();
  if (Number.isNaN(today.getTime())) throw new ConfigError(`--today must be a date (YYYY-MM-DD), not "${values.today}".`);
  const only = values.only ? values.only.split(',').map((name) => name.trim()) : [...SUBGRAPH_NAMES];
  const unknown = only.filter((name) => !(SUBGRAPH_NAMES as string[]).includes(name));
  if (unknown.length) throw new ConfigError(`Unknown subgraph(s) ${unknown.join(', ')}; choose among ${SUBGRAPH_NAMES.join(', ')}.`);
  if (values.postgres !== undefined && !URL.canParse(values.postgres)) {
    throw new ConfigError(`--postgres must be a server URL (postgres://user@host:5432), not "${values.postgres}".`);
  }
  // Every agency's settings are checked before the first is seeded, so a typo stops nothing half-way.
  const agencies = SERVICES.filter((service) => only.includes(service.name)).map((service) => {
    const config = loadSubgraphConfig(service.name);
    return { service, config: values.postgres ? { ...config, databaseUrl: databaseUrlOn(values.postgres, `ventanilla_${service.name}`) } : config };
  });
  return { citizens, today, agencies };
}

const { citizens, today, agencies } = configOrExit(readOptions);

// Bars redraw in place, which only a terminal can show; piped output gets one line per agency instead.
const bars = process.stdout.isTTY
  ? new cliProgress.MultiBar(
      { format: ' {name} |{bar}| {value}/{total} citizens | {duration}s', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    )
  : undefined;
const started = Date.now();
const timings: string[] = [];
try {
  // Agencies are seeded one after another: each is already one statement per table per batch, and
  // on two cores running them side by side only makes the progress bars harder to read.
  for (const { service, config } of agencies) {
    const bar = bars?.create(citizens, 0, { name: service.name.padEnd(9) });
    const agencyStarted = Date.now();
    const db = await openServiceDatabase(service, config);
    try {
      await service.seed(db, { citizens, today, onProgress: (done) => bar?.update(done) });
    } finally {
      await db.close();
    }
    bar?.update(citizens);
    const where = config.databaseUrl ? new URL(config.databaseUrl).pathname.slice(1) : `pglite ${config.pgliteDir ?? ''}`;
    timings.push(`${service.name}: ${((Date.now() - agencyStarted) / 1000).toFixed(1)} s (${where})`);
  }
} finally {
  bars?.stop();
}
console.log(timings.join('\n'));
console.log(`Seeded ${citizens} citizens plus the five personas in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
