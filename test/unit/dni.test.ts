import { describe, expect, it } from 'vitest';
import { dniCheckCharacters, renewableFrom } from '../../subgraphs/identity/dni.js';
import { isDni, parseDni } from '../../subgraphs/shared/dni.js';

describe('isDni', () => {
  it('accepts exactly 8 digits, leading zeros included', () => {
    expect(isDni('41234567')).toBe(true);
    expect(isDni('05209244')).toBe(true);
  });

  it('refuses anything else, including a DNI written with its check character', () => {
    for (const value of ['4123456', '412345678', '4123456A', '41234567-9', ' 41234567', '', '４１２３４５６７', 41234567, null]) {
      expect(isDni(value), String(value)).toBe(false);
    }
  });
});

describe('parseDni', () => {
  it('returns a DNI unchanged', () => {
    expect(parseDni('05209244')).toBe('05209244');
  });

  it('refuses anything else with BAD_USER_INPUT, naming the field, in the one wording every agency uses', () => {
    const refusal = (value: unknown, field?: string) => {
      try {
        parseDni(value, field);
      } catch (error) {
        return error;
      }
      throw new Error(`${String(value)} was accepted`);
    };
    expect(refusal('41234567-9')).toMatchObject({
      message: '"41234567-9" is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.',
      extensions: { code: 'BAD_USER_INPUT', field: 'dni' },
    });
    expect(refusal(41234567, 'dnis')).toMatchObject({
      message: '41234567 is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.',
      extensions: { code: 'BAD_USER_INPUT', field: 'dnis' },
    });
  });
});

describe('dniCheckCharacters', () => {
  it('computes the worked example of domain.md §4: 10117410 → 2 or G', () => {
    expect(dniCheckCharacters('10117410')).toEqual({ digit: '2', letter: 'G' });
  });

  it('agrees with DNIs printed with their check character (python-stdnum test vectors)', () => {
    expect(dniCheckCharacters('10812543')).toEqual({ digit: '3', letter: 'H' });
    expect(dniCheckCharacters('05209244').digit).toBe('8');
    expect(dniCheckCharacters('06224656').digit).toBe('7');
    expect(dniCheckCharacters('72641234').digit).toBe('6');
    expect(dniCheckCharacters('10586119').letter).toBe('B');
    expect(dniCheckCharacters('25543680').letter).toBe('E');
    expect(dniCheckCharacters('32023446').letter).toBe('H');
  });

  it('covers the end of both tables: a weighted sum divisible by 11 gives 6 or K', () => {
    expect(dniCheckCharacters('00000000')).toEqual({ digit: '6', letter: 'K' });
  });

  it('throws on something that is not a DNI rather than inventing a character', () => {
    expect(() => dniCheckCharacters('1234')).toThrow(RangeError);
  });
});

describe('renewableFrom', () => {
  it('opens the renewal window 60 days before expiry, across month and leap-day boundaries', () => {
    expect(renewableFrom('2026-03-10')).toBe('2026-01-09');
    expect(renewableFrom('2028-03-01')).toBe('2028-01-01');
  });
});
