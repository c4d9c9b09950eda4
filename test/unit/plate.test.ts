import { describe, expect, it } from 'vitest';
import { normalisePlate } from '../../subgraphs/transport/plate.js';
import { generatedPlate } from '../../subgraphs/transport/seed.js';

describe('normalisePlate', () => {
  it.each([
    ['A1B-234', 'A1B-234'],
    ['a1b234', 'A1B-234'],
    ['  c7k-901 ', 'C7K-901'],
    ['ABC-123', 'ABC-123'],
    ['V2X123', 'V2X-123'],
    ['AB-1234', 'AB-1234'],
    ['ab1234', 'AB-1234'],
    ['AB1-234', 'AB1-234'],
  ])('reads %j as %s', (input, plate) => {
    expect(normalisePlate(input)).toBe(plate);
  });

  it.each(['', '1AB-234', 'A1B-23', 'A1B-2345', 'A1B--234', 'A1B 234', 'A-1234', 'A1-1234', 'ÑAB-123', 'A1B-234;'])(
    'refuses %j',
    (input) => {
      expect(normalisePlate(input)).toBeNull();
    },
  );
});

describe('generatedPlate', () => {
  it('gives 300 000 distinct Lima plates in the 2010 letter-digit-letter format', () => {
    const plates = new Set<string>();
    const malformed: string[] = [];
    for (let serial = 0; serial < 300_000; serial++) {
      const plate = generatedPlate(serial);
      if (!/^[A-D][0-9][A-Z]-[0-9]{3}$/.test(plate) || normalisePlate(plate) !== plate) malformed.push(plate);
      plates.add(plate);
    }
    expect(malformed).toEqual([]);
    expect(plates.size).toBe(300_000);
  });

  it('is a fixed function of the serial, and scatters neighbours', () => {
    expect(generatedPlate(0)).toBe('A0A-000');
    expect(generatedPlate(1)).toBe('B4X-551');
    expect(generatedPlate(1).slice(0, 3)).not.toBe(generatedPlate(2).slice(0, 3));
  });

  it('refuses serials beyond the plates it can make', () => {
    expect(() => generatedPlate(-1)).toThrow(RangeError);
    expect(() => generatedPlate(1_040_000)).toThrow(RangeError);
    expect(generatedPlate(1_039_999)).toMatch(/^[A-D][0-9][A-Z]-[0-9]{3}$/);
  });
});
