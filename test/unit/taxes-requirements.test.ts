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
      detail: '1 deuda tributaria pendiente, S/ 430.00 en total: 2026-01 IGV - cuenta propia S/ 430.00. Primero págala (trámite consultar-deuda-tributaria).',
    });
  });
});

describe('rucNotRegisteredVerdict', () => {
  it('is met without a RUC, not met with one', () => {
    expect(rucNotRegisteredVerdict(null)).toEqual(MET);
    expect(rucNotRegisteredVerdict(taxpayer('ACTIVE'))).toEqual({
      status: 'NOT_MET',
      detail: `Ya tienes el RUC ${RUC} (inscrito el 2020-03-01): una persona solo tiene uno.`,
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
      detail: `Tu RUC ${RUC} está suspendido (suspensión temporal de actividades): primero reinicia tus actividades ante la SUNAT.`,
    });
    expect(rucActiveVerdict(taxpayer('DEREGISTERED'))).toEqual({
      status: 'NOT_MET',
      detail: `Tu RUC ${RUC} está dado de baja: primero pide a la SUNAT que lo reactive.`,
    });
  });
});
