import DataLoader from 'dataloader';
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

/** Lines rows up with the keys asked for, in the same order: DataLoader's contract. */
function byKey<Row>(keys: readonly string[], rows: readonly Row[], keyOf: (row: Row) => string | null): (Row | null)[] {
  const found = new Map<string, Row>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) found.set(key, row);
  }
  return keys.map((key) => found.get(key) ?? null);
}

export function createLoaders(store: TaxesStore): TaxesLoaders {
  const taxpayerByRuc = new DataLoader<string, TaxpayerRow | null>(async (rucs) =>
    byKey(rucs, await store.taxpayersByRuc(rucs), (row) => row.ruc),
  );
  const taxpayerByDni = new DataLoader<string, TaxpayerRow | null>(async (dnis) => {
    const rows = await store.taxpayersByDni(dnis);
    // A citizen's taxpayer is often asked for again by RUC (Taxpayer fields, checks): no second query.
    for (const row of rows) taxpayerByRuc.prime(row.ruc, row);
    return byKey(dnis, rows, (row) => row.dni);
  });
  const debtsByRuc = new DataLoader<string, TaxDebtRow[]>(async (rucs) => {
    const debts = new Map<string, TaxDebtRow[]>(rucs.map((ruc) => [ruc, []]));
    for (const debt of await store.debtsByRuc(rucs)) debts.get(debt.ruc)?.push(debt);
    return rucs.map((ruc) => debts.get(ruc) ?? []);
  });
  return { taxpayerByDni, taxpayerByRuc, debtsByRuc };
}
