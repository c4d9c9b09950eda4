import type { TaxDebtRow } from '../store.js';

export const TaxDebt = {
  // The amount stays the exact string the database printed ("3250.00"); SUNAT charges only in soles.
  amount(debt: TaxDebtRow): { amount: string; currency: 'PEN' } {
    return { amount: debt.amount, currency: 'PEN' };
  },
};
