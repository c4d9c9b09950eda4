import { describe, expect, it } from 'vitest';
import { soles, sumCents, toCents } from '../../subgraphs/shared/money.js';

describe('money', () => {
  it('reads numeric(12,2) amounts as exact cents', () => {
    expect(toCents('3250.00')).toBe(325000n);
    expect(toCents('0.10')).toBe(10n);
    expect(() => toCents('3250.5')).toThrow('two decimals');
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
});
