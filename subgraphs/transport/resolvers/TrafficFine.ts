import { pen } from '../../shared/money.js';
import type { TrafficFineRow } from '../store.js';

export const TrafficFine = {
  amount: (fine: TrafficFineRow) => pen(fine.amount),
};
