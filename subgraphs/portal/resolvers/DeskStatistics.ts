import type { PortalContext } from '../context.js';
import type { ProcedureStatisticsRecord } from '../store.js';

/** `Desk.statistics`: the figures of the official's own agency, the only ones their desk shows. */
export const deskStatistics = (parent: { official: { agency: string } }, _args: unknown, { store, today }: PortalContext) =>
  store.statisticsOfAgency(parent.official.agency, today);

export const ProcedureStatistics = {
  procedure(statistics: ProcedureStatisticsRecord, _args: unknown, { loaders }: PortalContext) {
    return loaders.procedure.load(statistics.procedureSlug);
  },
};
