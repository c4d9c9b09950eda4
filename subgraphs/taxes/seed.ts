import type { Database } from '../shared/db.js';
import { amountFromCents } from '../shared/money.js';
import { addDays, isoDate } from '../shared/calendar.js';
import { forEachBatch, generatedDni, insertRows, SeededRandom } from '../shared/seeding.js';
import type { SeedOptions } from '../shared/service.js';
import { rucForDni } from './ruc.js';
import type { TaxDebtStatus, TaxpayerCondition, TaxpayerStatus } from './store.js';

const TAXPAYER_COLUMNS = { ruc: 'text', dni: 'text', status: 'text', condition: 'text', registered_on: 'date' };
const DEBT_COLUMNS = { id: 'text', ruc: 'text', period: 'text', concept: 'text', amount: 'numeric', status: 'text' };

type TaxpayerInsert = [ruc: string, dni: string, status: TaxpayerStatus, condition: TaxpayerCondition, registeredOn: string];
type DebtInsert = [id: string, ruc: string, period: string, concept: string, amount: string, status: TaxDebtStatus];

/** `YYYY-MM` of the month `monthsBack` months before `today`'s. */
function monthPeriod(today: Date, monthsBack: number): string {
  return isoDate(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - monthsBack, 1))).slice(0, 7);
}

/** Debt ids are derived from the RUC so that seeding twice inserts nothing new. */
function debtId(ruc: string, n: number): string {
  return `${ruc}-${n}`;
}

/** The five personas of domain.md §6, as SUNAT sees them. Luis and Rosa have no RUC. */
function personaRows(today: Date): { taxpayers: TaxpayerInsert[]; debts: DebtInsert[] } {
  const year = today.getUTCFullYear();
  const ana = rucForDni('41234567');
  const jorge = rucForDni('43218765'); // 10432187654
  const carmen = rucForDni('47851236');
  return {
    taxpayers: [
      [ana, '41234567', 'ACTIVE', 'HABIDO', isoDate(addDays(today, -2190))],
      [jorge, '43218765', 'ACTIVE', 'HABIDO', isoDate(addDays(today, -3650))],
      // Her "RUC registration" application at the portal completed 45 days ago, the same day (portal seed).
      [carmen, '47851236', 'ACTIVE', 'HABIDO', isoDate(addDays(today, -45))],
    ],
    debts: [
      // Ana is in order: her one debt is paid, kept for the record.
      [debtId(ana, 1), ana, String(year - 1), 'Impuesto a la Renta - cuarta categoría', '1120.00', 'PAID'],
      // Jorge owes S/ 4,860.00, S/ 4,430.00 of it in coactive collection.
      [debtId(jorge, 1), jorge, String(year - 2), 'Impuesto a la Renta - cuarta categoría', '3250.00', 'IN_COACTIVE_COLLECTION'],
      [debtId(jorge, 2), jorge, monthPeriod(today, 14), 'IGV - cuenta propia', '1180.00', 'IN_COACTIVE_COLLECTION'],
      [debtId(jorge, 3), jorge, monthPeriod(today, 13), 'IGV - cuenta propia', '920.00', 'PAID'],
      [debtId(jorge, 4), jorge, monthPeriod(today, 2), 'IGV - cuenta propia', '430.00', 'PENDING'],
    ],
  };
}

/** What natural persons owe SUNAT for, with a plausible range of amounts in cents. */
const CONCEPTS = [
  { concept: 'IGV - cuenta propia', annual: false, cents: [15_000, 600_000] },
  { concept: 'Pago a cuenta del Impuesto a la Renta - cuarta categoría', annual: false, cents: [8_000, 250_000] },
  { concept: 'Impuesto a la Renta - primera categoría (alquileres)', annual: false, cents: [5_000, 150_000] },
  { concept: 'Nuevo RUS - cuota mensual', annual: false, cents: [2_000, 5_000] },
  { concept: 'Multa por declarar fuera de plazo', annual: false, cents: [13_375, 53_500] },
  { concept: 'Impuesto a la Renta - cuarta categoría', annual: true, cents: [30_000, 1_200_000] },
] as const;

/**
 * Generated citizen `index`'s RUC and debts, or nothing (about 60% have no RUC). Each citizen has their
 * own random source, so their data does not depend on how many citizens are seeded.
 */
function generatedRows(index: number, today: Date): { taxpayer: TaxpayerInsert | null; debts: DebtInsert[] } {
  const random = new SeededRandom(`taxes:${index}`);
  if (!random.chance(0.4)) return { taxpayer: null, debts: [] };
  const dni = generatedDni(index);
  const ruc = rucForDni(dni);
  const statusDraw = random.next();
  const status: TaxpayerStatus = statusDraw < 0.86 ? 'ACTIVE' : statusDraw < 0.94 ? 'SUSPENDED' : 'DEREGISTERED';
  const condition: TaxpayerCondition = random.chance(0.9) ? 'HABIDO' : 'NO_HABIDO';
  const daysRegistered = random.int(30, 9000);
  const taxpayer: TaxpayerInsert = [ruc, dni, status, condition, isoDate(addDays(today, -daysRegistered))];

  const debts: DebtInsert[] = [];
  if (random.chance(0.35)) {
    // No debt for a period before the RUC existed.
    const monthsRegistered = Math.min(36, Math.floor(daysRegistered / 31));
    const count = random.int(1, 4);
    for (let n = 1; n <= count; n++) {
      const { concept, annual, cents } = random.pick(CONCEPTS);
      const monthsBack = random.int(1, Math.max(1, monthsRegistered));
      const month = monthPeriod(today, monthsBack);
      // An annual tax is due the year after: the current year's cannot be owed yet.
      const period = annual ? String(Math.min(Number(month.slice(0, 4)), today.getUTCFullYear() - 1)) : month;
      const statusDraw = random.next();
      const debtStatus: TaxDebtStatus = statusDraw < 0.45 ? 'PAID' : statusDraw < 0.8 ? 'PENDING' : 'IN_COACTIVE_COLLECTION';
      debts.push([debtId(ruc, n), ruc, period, concept, amountFromCents(random.int(cents[0], cents[1])), debtStatus]);
    }
  }
  return { taxpayer, debts };
}

/**
 * SUNAT's sample data: the personas, then `options.citizens` generated citizens, one statement per table
 * per batch. Safe to run again, on any day: the personas' rows are restated relative to `options.today`
 * (Jorge's debt periods, Carmen's registration), generated citizens' rows are written only if missing.
 */
export async function seedTaxes(db: Database, options: SeedOptions): Promise<void> {
  const personas = personaRows(options.today);
  await insertRows(db, 'taxpayers', TAXPAYER_COLUMNS, personas.taxpayers, ['ruc']);
  await insertRows(db, 'tax_debts', DEBT_COLUMNS, personas.debts, ['id']);

  await forEachBatch(
    options.citizens,
    async (indexes) => {
      const taxpayers: TaxpayerInsert[] = [];
      const debts: DebtInsert[] = [];
      for (const index of indexes) {
        const rows = generatedRows(index, options.today);
        if (rows.taxpayer) taxpayers.push(rows.taxpayer);
        debts.push(...rows.debts);
      }
      await insertRows(db, 'taxpayers', TAXPAYER_COLUMNS, taxpayers);
      await insertRows(db, 'tax_debts', DEBT_COLUMNS, debts);
    },
    options.onProgress,
  );
}
