import { soles, sumCents } from '../shared/money.js';
import { MET, notMet, type Verdict } from '../shared/requirementChecks.js';
import type { TaxDebtRow, TaxpayerRow } from './store.js';

/** The requirement codes SUNAT answers for; any other code of a procedure belongs to another agency. */
export const TAX_REQUIREMENT_CODES = ['no-tax-debt', 'ruc-not-registered', 'ruc-active'] as const;
export type TaxRequirementCode = (typeof TAX_REQUIREMENT_CODES)[number];

/** What SUNAT knows about the signed-in citizen: their RUC (if any) and its debts. */
export interface TaxRecord {
  taxpayer: TaxpayerRow | null;
  debts: readonly TaxDebtRow[];
}

/** SUNAT's verdict on requirement `code` for the citizen whose record is `record`. */
export function checkTaxRequirement(code: TaxRequirementCode, record: TaxRecord): Verdict {
  return CHECKS[code](record);
}

const CHECKS: Record<TaxRequirementCode, (record: TaxRecord) => Verdict> = {
  'no-tax-debt': ({ debts }) => {
    // A citizen without a RUC has no debts rows, so they pass here too: they owe SUNAT nothing.
    const unpaid = debts.filter((debt) => debt.status !== 'PAID');
    if (unpaid.length === 0) return MET;
    const inCoactive = unpaid.filter((debt) => debt.status === 'IN_COACTIVE_COLLECTION').length;
    const total = soles(sumCents(unpaid.map((debt) => debt.amount)));
    const items = unpaid.map(
      (debt) =>
        `${debt.period} ${debt.concept} ${soles(debt.amount)}` +
        (debt.status === 'IN_COACTIVE_COLLECTION' ? ' (in coactive collection)' : ''),
    );
    return notMet(
      `${plural(unpaid.length, 'unpaid tax debt')}, ${total} in total` +
        (inCoactive ? `, ${inCoactive} of them in coactive collection` : '') +
        `: ${items.join('; ')}. Pay them first (procedure consultar-deuda-tributaria).`,
    );
  },
  'ruc-not-registered': ({ taxpayer }) =>
    taxpayer ? notMet(`You already have RUC ${taxpayer.ruc} (registered on ${taxpayer.registeredOn}): a person has only one.`) : MET,
  'ruc-active': ({ taxpayer }) => {
    if (!taxpayer) return notMet('You have no RUC: register first (procedure inscribirse-en-el-ruc).');
    switch (taxpayer.status) {
      case 'ACTIVE':
        return MET;
      case 'SUSPENDED':
        return notMet(`Your RUC ${taxpayer.ruc} is suspended (suspensión temporal de actividades): restart your activities with SUNAT first.`);
      case 'DEREGISTERED':
        return notMet(`Your RUC ${taxpayer.ruc} is deregistered (baja): ask SUNAT to reactivate it first.`);
    }
  },
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
