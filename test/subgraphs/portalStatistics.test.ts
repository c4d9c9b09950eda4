/**
 * The desk's figures (issue #8): an agency's applications counted per procedure (open, overdue,
 * decided) with the median days to a decision, in one statement, on PostgreSQL and on PGlite. The
 * seeded applications are replaced by a known set, so that every figure is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoDate, shiftIsoDate } from '../../subgraphs/shared/calendar.js';
import type { Database } from '../../subgraphs/shared/db.js';
import { createLoaders } from '../../subgraphs/portal/loaders.js';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import type { PortalContext } from '../../subgraphs/portal/context.js';
import { deskStatistics, ProcedureStatistics } from '../../subgraphs/portal/resolvers/DeskStatistics.js';
import { PortalStore, type ApplicationStatus, type ProcedureStatisticsRecord } from '../../subgraphs/portal/store.js';
import { countStatementsPerTable, startSubgraph, TEST_TODAY, type RunningSubgraph } from '../helpers/subgraph.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { ANA } from '../helpers/personas.js';
import { asCitizen, asOfficial } from '../helpers/trust.js';

const PEDRO = asOfficial('MTC-0001');
const OSCAR = asOfficial('RENIEC-0001');
const TODAY = isoDate(TEST_TODAY);
const day = (offset: number) => shiftIsoDate(TODAY, offset);

const REVALIDATION = 'revalidar-licencia-de-conducir';
// Two more MTC procedures, copies of the revalidation: the catalogue has only one MTC procedure to apply for.
const DUPLICATE = { slug: 'duplicado-de-licencia-de-conducir', title: 'Duplicado de licencia de conducir' };
const EXCHANGE = { slug: 'canje-de-licencia-extranjera', title: 'Canje de licencia extranjera' };

interface Case {
  slug: string;
  status: ApplicationStatus;
  /** A date-time with Lima's offset. */
  submittedAt: string;
  dueOn: string;
  /** What followed the SUBMITTED event, each at a date-time with Lima's offset. */
  events?: [ApplicationStatus, string][];
}

const at = (offset: number, time = '10:00') => `${day(offset)}T${time}:00-05:00`;

const CASES: Case[] = [
  // The revalidation: three open (two overdue: due yesterday and five days ago; one due today is not).
  { slug: REVALIDATION, status: 'SUBMITTED', submittedAt: at(-30), dueOn: day(-1) },
  { slug: REVALIDATION, status: 'IN_REVIEW', submittedAt: at(-20), dueOn: day(0), events: [['IN_REVIEW', at(-19)]] },
  { slug: REVALIDATION, status: 'ACTION_REQUIRED', submittedAt: at(-40), dueOn: day(-5), events: [['IN_REVIEW', at(-39)], ['ACTION_REQUIRED', at(-38)]] },
  // Four decided, in 2, 3, 6 and 10 days: the median of an even count, 4.5.
  { slug: REVALIDATION, status: 'APPROVED', submittedAt: at(-60), dueOn: day(-50), events: [['IN_REVIEW', at(-59)], ['APPROVED', at(-58)]] },
  // Counted from the first decision, not from its completion.
  { slug: REVALIDATION, status: 'COMPLETED', submittedAt: at(-60), dueOn: day(-50), events: [['APPROVED', at(-54)], ['COMPLETED', at(-50)]] },
  // Submitted at 21:30 in Lima (the next day in UTC) and rejected three Lima days later: 3, not 2.
  { slug: REVALIDATION, status: 'REJECTED', submittedAt: at(-70, '21:30'), dueOn: day(-60), events: [['IN_REVIEW', at(-69)], ['REJECTED', at(-67, '09:00')]] },
  { slug: REVALIDATION, status: 'READY_FOR_PICKUP', submittedAt: at(-80), dueOn: day(-70), events: [['APPROVED', at(-70)], ['READY_FOR_PICKUP', at(-69)]] },
  // Cancelled: neither open nor decided.
  { slug: REVALIDATION, status: 'CANCELLED', submittedAt: at(-10), dueOn: day(-2), events: [['CANCELLED', at(-9)]] },
  // The duplicate: two open (one overdue), none decided.
  { slug: DUPLICATE.slug, status: 'SUBMITTED', submittedAt: at(-1), dueOn: day(3) },
  { slug: DUPLICATE.slug, status: 'IN_REVIEW', submittedAt: at(-15), dueOn: day(-2), events: [['IN_REVIEW', at(-14)]] },
  // RENIEC's: decided in 1, 4 and 7 days (median 4), and one overdue elsewhere.
  { slug: 'renovar-dni', status: 'APPROVED', submittedAt: at(-30), dueOn: day(-20), events: [['APPROVED', at(-29)]] },
  { slug: 'renovar-dni', status: 'REJECTED', submittedAt: at(-30), dueOn: day(-20), events: [['REJECTED', at(-26)]] },
  { slug: 'renovar-dni', status: 'COMPLETED', submittedAt: at(-30), dueOn: day(-20), events: [['APPROVED', at(-23)], ['COMPLETED', at(-22)]] },
  { slug: 'duplicado-de-dni', status: 'SUBMITTED', submittedAt: at(-12), dueOn: day(-4) },
];

const STATISTICS = '{ desk { statistics { procedure { slug } open overdue decided medianDaysToDecision } } }';

const MTC_FIGURES = [
  { procedure: { slug: EXCHANGE.slug }, open: 0, overdue: 0, decided: 0, medianDaysToDecision: null },
  { procedure: { slug: DUPLICATE.slug }, open: 2, overdue: 1, decided: 0, medianDaysToDecision: null },
  { procedure: { slug: REVALIDATION }, open: 3, overdue: 2, decided: 4, medianDaysToDecision: 4.5 },
];
const RENIEC_FIGURES = [
  { procedure: { slug: 'copia-certificada-de-acta-de-nacimiento' }, open: 0, overdue: 0, decided: 0, medianDaysToDecision: null },
  { procedure: { slug: 'duplicado-de-dni' }, open: 1, overdue: 1, decided: 0, medianDaysToDecision: null },
  { procedure: { slug: 'renovar-dni' }, open: 0, overdue: 0, decided: 3, medianDaysToDecision: 4 },
];

/** The store's rows as the figures above put them: the procedure by slug. */
const asFigures = (rows: ProcedureStatisticsRecord[]) => rows.map(({ procedureSlug, ...figures }) => ({ procedure: { slug: procedureSlug }, ...figures }));

/** Replaces every application with CASES, and adds the two MTC procedures they need. */
async function arrange(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM application_events');
    await tx.query('DELETE FROM applications');
    for (const { slug, title } of [DUPLICATE, EXCHANGE]) {
      await tx.query(
        `INSERT INTO procedures (slug, agency_code, title, summary, description, search_text, fee_amount, fee_uit_percent, fee_as_of,
                                 payment_code, processing_days, approval, legal_basis, information_only)
         SELECT $1, agency_code, $2, summary, description, lower($2), fee_amount, fee_uit_percent, fee_as_of,
                payment_code, processing_days, approval, legal_basis, information_only
           FROM procedures WHERE slug = $3`,
        [slug, title, REVALIDATION],
      );
      await tx.query(
        `INSERT INTO procedure_channels (slug, kind, url, appointment_required)
         SELECT $1, kind, url, appointment_required FROM procedure_channels WHERE slug = $2`,
        [slug, REVALIDATION],
      );
    }
    for (const [index, { slug, status, submittedAt, dueOn, events = [] }] of CASES.entries()) {
      const id = `CUT-2026-${String(900001 + index)}`;
      // Its last event is its status, at the time it last changed: the record demands it (migration 007).
      const changedAt = events.at(-1)?.[1] ?? submittedAt;
      await tx.query(
        `INSERT INTO applications (id, dni, procedure_slug, channel, status, submitted_at, updated_at, idempotency_key, due_on)
         VALUES ($1, $2, $3, 'ONLINE', $4, $5, $7, $1, $6)`,
        [id, String(40000000 + index), slug, status, submittedAt, dueOn, changedAt],
      );
      for (const [eventStatus, eventAt] of [['SUBMITTED', submittedAt], ...events]) {
        await tx.query(`INSERT INTO application_events (application_id, at, status, note) VALUES ($1, $2, $3, '')`, [id, eventAt, eventStatus]);
      }
    }
  });
}

describe.each(['postgres', 'pglite'] as const)('the desk statistics on %s', (engine) => {
  let portal: RunningSubgraph;
  let store: PortalStore;

  beforeAll(async () => {
    portal = await startSubgraph(portalService, { engine, citizens: 0 });
    await arrange(portal.db);
    store = new PortalStore(portal.db);
  });
  afterAll(async () => {
    await portal?.close();
  });

  it("counts an agency's applications per procedure by title, zeros included, lookups left out, in one statement", async () => {
    const { result, counts } = await countStatementsPerTable({ portal: portal.db }, () => store.statisticsOfAgency('MTC', TODAY));
    expect(asFigures(result)).toEqual(MTC_FIGURES);
    expect(counts.portal).toEqual({ procedures: 1 });
  });

  it('costs one statement whatever the number of procedures, and names no applicant nor case', async () => {
    for (const [agency, procedures] of [['MIGRACIONES', 1], ['RENIEC', 3], ['SUNAT', 3]] as const) {
      const { result, counts } = await countStatementsPerTable({ portal: portal.db }, () => store.statisticsOfAgency(agency, TODAY));
      expect([agency, result.length, counts.portal]).toEqual([agency, procedures, { procedures: 1 }]);
      for (const row of result) expect(Object.keys(row).sort()).toEqual(['decided', 'medianDaysToDecision', 'open', 'overdue', 'procedureSlug']);
    }
  });

  it("judges overdue against the day given: tomorrow, the one due today is overdue too", async () => {
    const tomorrow = await store.statisticsOfAgency('MTC', day(1));
    expect(asFigures(tomorrow).map((row) => row.overdue)).toEqual([0, 1, 3]);
  });

  it("gives the desk's official their own agency's figures, the procedures through one batched lookup", async () => {
    for (const [official, figures] of [[PEDRO, MTC_FIGURES], [OSCAR, RENIEC_FIGURES]] as const) {
      const context = { store, loaders: createLoaders(store), today: TODAY } as PortalContext;
      const { result, counts } = await countStatementsPerTable({ portal: portal.db }, async () => {
        const rows = await deskStatistics({ official: official as { agency: string } }, {}, context);
        const procedures = await Promise.all(rows.map((row) => ProcedureStatistics.procedure(row, {}, context)));
        return rows.map(({ procedureSlug: _slug, ...row }, index) => ({ procedure: { slug: procedures[index]?.slug }, ...row }));
      });
      expect(result).toEqual(figures);
      // The figures, then the procedures' records: two statements for any number of procedures.
      expect(counts.portal).toEqual({ procedures: 2 });
    }
  });

  it('answers `desk { statistics }` through the subgraph: Pedro gets MTC’s figures, Óscar RENIEC’s, a citizen none', async () => {
    for (const [official, figures] of [[PEDRO, MTC_FIGURES], [OSCAR, RENIEC_FIGURES]] as const) {
      const assertion = await portal.as(official);
      const { result: response, counts } = await countStatementsPerTable({ portal: portal.db }, () => graphql(portal.url, STATISTICS, undefined, assertion));
      expect(response.errors).toBeUndefined();
      expect(response.data.desk.statistics).toEqual(figures);
      expect(counts.portal).toEqual({ procedures: 2 });
    }
    const citizen = await graphql(portal.url, STATISTICS, undefined, await portal.as(asCitizen(ANA)));
    expect([errorCodes(citizen), citizen.data?.desk ?? null]).toEqual([['FORBIDDEN'], null]);
  });
});
