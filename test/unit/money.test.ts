import { describe, expect, it } from 'vitest';
import { amountFromCents, pen, soles, sumCents, toCents } from '../../subgraphs/shared/money.js';

describe('money', () => {
  it('reads numeric(12,2) amounts as exact cents', () => {
    expect(toCents('3250.00')).toBe(325000n);
    expect(toCents('0.10')).toBe(10n);
    expect(() => toCents('3250.5')).toThrow('two decimals');
  });

  it('writes cents back as an amount with two decimals, the inverse of toCents', () => {
    expect(amountFromCents(123450)).toBe('1234.50');
    expect(amountFromCents(123450n)).toBe('1234.50');
    expect(amountFromCents(5)).toBe('0.05');
    expect(amountFromCents(0n)).toBe('0.00');
    for (const amount of ['0.01', '214.00', '4860.99', '9999999999.99']) expect(amountFromCents(toCents(amount))).toBe(amount);
  });

  it('refuses a negative amount or a fraction of a cent', () => {
    expect(() => amountFromCents(-1)).toThrow(RangeError);
    expect(() => amountFromCents(12.5)).toThrow(RangeError);
  });

  it('adds without floating point error', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    expect(sumCents(['0.10', '0.20'])).toBe(30n);
  });

  it('writes soles with thousands separators, from a string or cents', () => {
    expect(soles('214.00')).toBe('S/ 214.00');
    expect(soles('2750.05')).toBe('S/ 2,750.05');
    expect(soles(123456789n)).toBe('S/ 1,234,567.89');
  });

  it('gives an amount in soles as the schemas\' Money', () => {
    expect(pen('214.00')).toEqual({ amount: '214.00', currency: 'PEN' });
  });
});
