import type { Queryable } from '../shared/db.js';

export type TaxpayerStatus = 'ACTIVE' | 'SUSPENDED' | 'DEREGISTERED';
export type TaxpayerCondition = 'HABIDO' | 'NO_HABIDO';
export type TaxDebtStatus = 'PENDING' | 'IN_COACTIVE_COLLECTION' | 'PAID';

/** A registered RUC. */
export interface TaxpayerRow {
  ruc: string;
  /** The owner's DNI; null for legal entities. */
  dni: string | null;
  status: TaxpayerStatus;
  condition: TaxpayerCondition;
  /** ISO 8601 date. */
  registeredOn: string;
}

/** One amount owed (or paid) for a period and concept. */
export interface TaxDebtRow {
  ruc: string;
  /** YYYY-MM, or YYYY for annual taxes. */
  period: string;
  concept: string;
  /** Soles with two decimals, exact, e.g. "3250.00". */
  amount: string;
  status: TaxDebtStatus;
}

// Dates and amounts are selected as text: pg would turn a `date` into a JS Date at local midnight.
const TAXPAYER_COLUMNS = `ruc, dni, status, condition, to_char(registered_on, 'YYYY-MM-DD') AS "registeredOn"`;

/** SUNAT's own database. Every read takes a batch of keys, so that a request costs one statement per table. */
export class TaxesStore {
  constructor(private readonly db: Queryable) {}

  async taxpayersByDni(dnis: readonly string[]): Promise<TaxpayerRow[]> {
    const result = await this.db.query<TaxpayerRow>(
      `SELECT ${TAXPAYER_COLUMNS} FROM taxpayers WHERE dni = ANY($1)`,
      [dnis],
    );
    return result.rows;
  }

  async taxpayersByRuc(rucs: readonly string[]): Promise<TaxpayerRow[]> {
    const result = await this.db.query<TaxpayerRow>(
      `SELECT ${TAXPAYER_COLUMNS} FROM taxpayers WHERE ruc = ANY($1)`,
      [rucs],
    );
    return result.rows;
  }

  /** The debts of each RUC, oldest period first. */
  async debtsByRuc(rucs: readonly string[]): Promise<TaxDebtRow[]> {
    const result = await this.db.query<TaxDebtRow>(
      `SELECT ruc, period, concept, amount::text AS amount, status FROM tax_debts
        WHERE ruc = ANY($1) ORDER BY ruc, period, id`,
      [rucs],
    );
    return result.rows;
  }
}
