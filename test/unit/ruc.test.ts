import { describe, expect, it } from 'vitest';
import { dniInRuc, rucCheckDigit, rucForDni, rucProblem } from '../../subgraphs/taxes/ruc.js';

describe('rucCheckDigit', () => {
  it('gives the worked example of domain.md: 2051233379 sums to 125, remainder 4, digit 7', () => {
    expect(rucCheckDigit('2051233379')).toBe(7);
  });

  it('maps remainder 0 to 1 and remainder 1 to 0, as SUNAT does', () => {
    // The two edge cases of (11 - r) mod 10: find a body for each among 1000 candidates.
    const bodies = Array.from({ length: 1000 }, (_, i) => `1${String(i).padStart(9, '0')}`);
    const sum = (digits: string) => [5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((s, w, i) => s + w * Number(digits[i]), 0);
    const remainder0 = bodies.find((body) => sum(body) % 11 === 0)!;
    const remainder1 = bodies.find((body) => sum(body) % 11 === 1)!;
    expect(rucCheckDigit(remainder0)).toBe(1);
    expect(rucCheckDigit(remainder1)).toBe(0);
  });

  it('refuses anything but ten digits', () => {
    expect(() => rucCheckDigit('123')).toThrow();
    expect(() => rucCheckDigit('10abcdefgh')).toThrow();
  });
});

describe('rucForDni', () => {
  it('is "10" + DNI + check digit', () => {
    expect(rucForDni('10117410')).toBe('10101174102');
    expect(rucForDni('43218765')).toBe('10432187654');
  });
});

describe('rucProblem', () => {
  it('accepts valid RUCs of every prefix', () => {
    expect(rucProblem('20512333797')).toBeNull();
    expect(rucProblem('10432187654')).toBeNull();
    expect(rucProblem('10101174102')).toBeNull();
    for (const prefix of ['15', '16', '17']) {
      const firstTen = `${prefix}12345678`;
      expect(rucProblem(firstTen + rucCheckDigit(firstTen))).toBeNull();
    }
  });

  it('says when the length or characters are wrong', () => {
    expect(rucProblem('1043218765')).toBe('A RUC has exactly 11 digits; "1043218765" does not.');
    expect(rucProblem('104321876540')).toBe('A RUC has exactly 11 digits; "104321876540" does not.');
    expect(rucProblem('10-43218765')).toBe('A RUC has exactly 11 digits; "10-43218765" does not.');
    expect(rucProblem('')).toBe('A RUC has exactly 11 digits; "" does not.');
  });

  it('says when the type prefix does not exist', () => {
    expect(rucProblem('30512333797')).toBe('A RUC starts with 10, 15, 16, 17 or 20; 30512333797 starts with 30.');
  });

  it('says which check digit was expected', () => {
    expect(rucProblem('10432187655')).toBe(
      'RUC 10432187655 has a wrong check digit: it ends in 5, but the first ten digits give 4.',
    );
    expect(rucProblem('20512333790')).toContain('the first ten digits give 7');
  });
});

describe('dniInRuc', () => {
  it('is the body of a "10" RUC, and nothing for other types', () => {
    expect(dniInRuc('10432187654')).toBe('43218765');
    expect(dniInRuc('20512333797')).toBeNull();
    expect(dniInRuc('15123456789')).toBeNull();
  });
});
