import { soles, sumCents } from '../shared/money.js';
import { MET, notMet, type Verdict } from '../shared/requirementChecks.js';
import type { TaxDebtRow, TaxpayerRow } from './store.js';

// SUNAT's verdicts on the requirements it owns, each from only the records it needs: pure, so each is testable alone.

/** `debts` are all of the citizen's RUC's (none without a RUC: they owe SUNAT nothing); paid ones do not count. */
export function noTaxDebtVerdict(debts: readonly TaxDebtRow[]): Verdict {
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
}

export function rucNotRegisteredVerdict(taxpayer: TaxpayerRow | null): Verdict {
  return taxpayer ? notMet(`You already have RUC ${taxpayer.ruc} (registered on ${taxpayer.registeredOn}): a person has only one.`) : MET;
}

export function rucActiveVerdict(taxpayer: TaxpayerRow | null): Verdict {
  if (!taxpayer) return notMet('You have no RUC: register first (procedure inscribirse-en-el-ruc).');
  switch (taxpayer.status) {
    case 'ACTIVE':
      return MET;
    case 'SUSPENDED':
      return notMet(`Your RUC ${taxpayer.ruc} is suspended (suspensión temporal de actividades): restart your activities with SUNAT first.`);
    case 'DEREGISTERED':
      return notMet(`Your RUC ${taxpayer.ruc} is deregistered (baja): ask SUNAT to reactivate it first.`);
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
