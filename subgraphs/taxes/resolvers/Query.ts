import { notFound, unauthenticated } from '../../../lib/errors.js';
import type { TaxesContext } from '../context.js';
import type { TaxpayerRow } from '../store.js';
import { readTaxpayer } from './Taxpayer.js';

export const Query = {
  async taxpayer(_root: unknown, { ruc }: { ruc: string }, context: TaxesContext): Promise<TaxpayerRow> {
    if (!context.viewer) throw unauthenticated('Sign in to see a taxpayer.');
    const taxpayer = await readTaxpayer(ruc, context);
    if (!taxpayer) throw notFound(`No taxpayer is registered with RUC ${ruc}.`);
    return taxpayer;
  },
};
