import DataLoader from 'dataloader';
import { oneRowPerKey, rowsPerKey } from '../shared/loaders.js';
import type { TaxDebtRow, TaxesStore, TaxpayerRow } from './store.js';

/** Per-request memos over the store: N lookups of the same kind in one request are one SQL statement. */
export interface TaxesLoaders {
  /** A citizen's RUC registration by DNI, or null when they have none. */
  taxpayerByDni: DataLoader<string, TaxpayerRow | null>;
  /** A taxpayer by RUC, or null when the RUC is not registered. */
  taxpayerByRuc: DataLoader<string, TaxpayerRow | null>;
  /** A RUC's debts, oldest period first; empty when none. */
  debtsByRuc: DataLoader<string, TaxDebtRow[]>;
}

export function createLoaders(store: TaxesStore): TaxesLoaders {
  const taxpayerByRuc = new DataLoader<string, TaxpayerRow | null>(async (rucs) =>
    oneRowPerKey(rucs, await store.taxpayersByRuc(rucs), (row) => row.ruc),
  );
  const taxpayerByDni = new DataLoader<string, TaxpayerRow | null>(async (dnis) => {
    const rows = await store.taxpayersByDni(dnis);
    // A citizen's taxpayer is often asked for again by RUC (Taxpayer fields, checks): no second query.
    for (const row of rows) taxpayerByRuc.prime(row.ruc, row);
    return oneRowPerKey(dnis, rows, (row) => row.dni);
  });
  const debtsByRuc = new DataLoader<string, TaxDebtRow[]>(async (rucs) =>
    rowsPerKey(rucs, await store.debtsByRuc(rucs), (row) => row.ruc),
  );
  return { taxpayerByDni, taxpayerByRuc, debtsByRuc };
}
