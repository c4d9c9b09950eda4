import type { TrafficFineRow } from '../store.js';

export const TrafficFine = {
  // Every amount SAT charges is in soles.
  amount: (fine: TrafficFineRow) => ({ amount: fine.amount, currency: 'PEN' }),
};
