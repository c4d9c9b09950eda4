import { PROCEDURE_ORDER } from '../cursor.js';
import type { ProcedureFilter, ProcedureRecord } from '../store.js';
import { connectionResolvers, type Page } from './connection.js';

/** A page as `Query.procedures` found it. */
export type ProcedurePage = Page<ProcedureRecord, ProcedureFilter>;

export const ProcedureConnection = connectionResolvers(PROCEDURE_ORDER, (filter: ProcedureFilter, { store }) => store.countProcedures(filter));
