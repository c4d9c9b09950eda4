import { notFound } from '../../../lib/errors.js';
import type { TaxesContext } from '../context.js';
import type { TaxpayerRow } from '../store.js';
import { taxpayerByRuc } from './Taxpayer.js';

export const Query = {
  /** NOT_FOUND reaches only those who may read any taxpayer: for anyone else the guard answers as for someone else's. */
  async taxpayer(_root: unknown, { ruc }: { ruc: string }, context: TaxesContext): Promise<TaxpayerRow> {
    const taxpayer = await taxpayerByRuc(ruc, context);
    if (!taxpayer) throw notFound(`No taxpayer is registered with RUC ${ruc}.`);
    return taxpayer;
  },
};
