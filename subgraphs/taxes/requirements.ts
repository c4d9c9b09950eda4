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
      (debt.status === 'IN_COACTIVE_COLLECTION' ? ' (en cobranza coactiva)' : ''),
  );
  return notMet(
    `${plural(unpaid.length, 'deuda tributaria pendiente', 'deudas tributarias pendientes')}, ${total} en total` +
      (inCoactive ? `, ${inCoactive} de ellas en cobranza coactiva` : '') +
      `: ${items.join('; ')}. Primero ${unpaid.length === 1 ? 'págala' : 'págalas'} (trámite consultar-deuda-tributaria).`,
  );
}

export function rucNotRegisteredVerdict(taxpayer: TaxpayerRow | null): Verdict {
  return taxpayer ? notMet(`Ya tienes el RUC ${taxpayer.ruc} (inscrito el ${taxpayer.registeredOn}): una persona solo tiene uno.`) : MET;
}

export function rucActiveVerdict(taxpayer: TaxpayerRow | null): Verdict {
  if (!taxpayer) return notMet('No tienes RUC: primero inscríbete (trámite inscribirse-en-el-ruc).');
  switch (taxpayer.status) {
    case 'ACTIVE':
      return MET;
    case 'SUSPENDED':
      return notMet(`Tu RUC ${taxpayer.ruc} está suspendido (suspensión temporal de actividades): primero reinicia tus actividades ante la SUNAT.`);
    case 'DEREGISTERED':
      return notMet(`Tu RUC ${taxpayer.ruc} está dado de baja: primero pide a la SUNAT que lo reactive.`);
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
