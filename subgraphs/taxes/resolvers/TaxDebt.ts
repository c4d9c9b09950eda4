import { pen } from '../../shared/money.js';
import type { TaxDebtRow } from '../store.js';

export const TaxDebt = {
  // The amount stays the exact string the database printed ("3250.00"), never a float.
  amount: (debt: TaxDebtRow) => pen(debt.amount),
};
