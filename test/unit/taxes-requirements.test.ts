import { describe, expect, it } from 'vitest';
import { noTaxDebtVerdict, rucActiveVerdict, rucNotRegisteredVerdict } from '../../subgraphs/taxes/requirements.js';
import type { TaxDebtRow, TaxpayerRow } from '../../subgraphs/taxes/store.js';

const RUC = '10412345679';
const MET = { status: 'MET', detail: null };

const taxpayer = (status: TaxpayerRow['status']): TaxpayerRow => ({ ruc: RUC, dni: '41234567', status, condition: 'HABIDO', registeredOn: '2020-03-01' });
const debt = (period: string, amount: string, status: TaxDebtRow['status']): TaxDebtRow => ({ ruc: RUC, period, concept: 'IGV - cuenta propia', amount, status });

describe('noTaxDebtVerdict', () => {
  it('is met with no debts, or only paid ones', () => {
    expect(noTaxDebtVerdict([])).toEqual(MET);
    expect(noTaxDebtVerdict([debt('2025-01', '920.00', 'PAID')])).toEqual(MET);
  });

  it('names one unpaid debt in the singular, without a coactive count when none is', () => {
    expect(noTaxDebtVerdict([debt('2025-01', '920.00', 'PAID'), debt('2026-01', '430.00', 'PENDING')])).toEqual({
      status: 'NOT_MET',
      detail: '1 unpaid tax debt, S/ 430.00 in total: 2026-01 IGV - cuenta propia S/ 430.00. Pay them first (procedure consultar-deuda-tributaria).',
    });
  });
});

describe('rucNotRegisteredVerdict', () => {
  it('is met without a RUC, not met with one', () => {
    expect(rucNotRegisteredVerdict(null)).toEqual(MET);
    expect(rucNotRegisteredVerdict(taxpayer('ACTIVE'))).toEqual({
      status: 'NOT_MET',
      detail: `You already have RUC ${RUC} (registered on 2020-03-01): a person has only one.`,
    });
  });
});

describe('rucActiveVerdict', () => {
  it('is met by an ACTIVE RUC', () => {
    expect(rucActiveVerdict(taxpayer('ACTIVE'))).toEqual(MET);
  });

  it('is not met by a SUSPENDED or DEREGISTERED RUC, saying what to do', () => {
    expect(rucActiveVerdict(taxpayer('SUSPENDED'))).toEqual({
      status: 'NOT_MET',
      detail: `Your RUC ${RUC} is suspended (suspensión temporal de actividades): restart your activities with SUNAT first.`,
    });
    expect(rucActiveVerdict(taxpayer('DEREGISTERED'))).toEqual({
      status: 'NOT_MET',
      detail: `Your RUC ${RUC} is deregistered (baja): ask SUNAT to reactivate it first.`,
    });
  });
});
