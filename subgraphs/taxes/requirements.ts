import type { TaxDebtRow, TaxpayerRow } from './store.js';

/** The requirement codes SUNAT answers for; any other code of a procedure belongs to another agency. */
export const TAX_REQUIREMENT_CODES = ['no-tax-debt', 'ruc-not-registered', 'ruc-active'] as const;
export type TaxRequirementCode = (typeof TAX_REQUIREMENT_CODES)[number];

export function isTaxRequirement(code: string): code is TaxRequirementCode {
  return (TAX_REQUIREMENT_CODES as readonly string[]).includes(code);
}

/** An agency's verdict on one requirement, as the RequirementCheck type publishes it. */
export interface RequirementCheck {
  code: TaxRequirementCode;
  status: 'MET' | 'NOT_MET' | 'UNKNOWN';
  detail: string | null;
}

/** What SUNAT knows about the signed-in citizen: their RUC (if any) and its debts. */
export interface TaxRecord {
  taxpayer: TaxpayerRow | null;
  debts: readonly TaxDebtRow[];
}

/**
 * The verdict on each of `codes` for the citizen whose record is `record`; null when nobody is signed
 * in as a citizen (an agency token has no tax record of its own), which leaves every code UNKNOWN.
 */
export function checkTaxRequirements(codes: readonly TaxRequirementCode[], record: TaxRecord | null): RequirementCheck[] {
  if (!record) return codes.map((code) => ({ code, status: 'UNKNOWN', detail: 'Sign in to check.' }));
  return codes.map((code) => CHECKS[code](record));
}

const CHECKS: Record<TaxRequirementCode, (record: TaxRecord) => RequirementCheck> = {
  'no-tax-debt': ({ debts }) => {
    // A citizen without a RUC has no debts rows, so they pass here too: they owe SUNAT nothing.
    const unpaid = debts.filter((debt) => debt.status !== 'PAID');
    if (unpaid.length === 0) return { code: 'no-tax-debt', status: 'MET', detail: null };
    const inCoactive = unpaid.filter((debt) => debt.status === 'IN_COACTIVE_COLLECTION').length;
    const total = soles(sumCents(unpaid.map((debt) => debt.amount)));
    const items = unpaid.map(
      (debt) =>
        `${debt.period} ${debt.concept} ${soles(toCents(debt.amount))}` +
        (debt.status === 'IN_COACTIVE_COLLECTION' ? ' (in coactive collection)' : ''),
    );
    return {
      code: 'no-tax-debt',
      status: 'NOT_MET',
      detail:
        `${plural(unpaid.length, 'unpaid tax debt')}, ${total} in total` +
        (inCoactive ? `, ${inCoactive} of them in coactive collection` : '') +
        `: ${items.join('; ')}. Pay them first (procedure consultar-deuda-tributaria).`,
    };
  },
  'ruc-not-registered': ({ taxpayer }) =>
    taxpayer
      ? {
          code: 'ruc-not-registered',
          status: 'NOT_MET',
          detail: `You already have RUC ${taxpayer.ruc} (registered on ${taxpayer.registeredOn}): a person has only one.`,
        }
      : { code: 'ruc-not-registered', status: 'MET', detail: null },
  'ruc-active': ({ taxpayer }) => {
    if (!taxpayer) {
      return { code: 'ruc-active', status: 'NOT_MET', detail: 'You have no RUC: register first (procedure inscribirse-en-el-ruc).' };
    }
    switch (taxpayer.status) {
      case 'ACTIVE':
        return { code: 'ruc-active', status: 'MET', detail: null };
      case 'SUSPENDED':
        return {
          code: 'ruc-active',
          status: 'NOT_MET',
          detail: `Your RUC ${taxpayer.ruc} is suspended (suspensión temporal de actividades): restart your activities with SUNAT first.`,
        };
      case 'DEREGISTERED':
        return {
          code: 'ruc-active',
          status: 'NOT_MET',
          detail: `Your RUC ${taxpayer.ruc} is deregistered (baja): ask SUNAT to reactivate it first.`,
        };
    }
  },
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Exact cents of a numeric(12,2) amount as the database prints it ("3250.00"): no float ever. */
function toCents(amount: string): bigint {
  const match = /^(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`Not an amount with two decimals: "${amount}".`);
  return BigInt(match[1]! + match[2]!);
}

function sumCents(amounts: readonly string[]): bigint {
  return amounts.reduce((sum, amount) => sum + toCents(amount), 0n);
}

/** "S/ 3,250.00": how SUNAT writes amounts in soles. */
function soles(cents: bigint): string {
  const units = (cents / 100n).toString().replace(/\B(?=(\d{3})+$)/g, ',');
  return `S/ ${units}.${(cents % 100n).toString().padStart(2, '0')}`;
}
