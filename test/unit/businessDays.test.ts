import { describe, expect, it } from 'vitest';
import { addBusinessDays, easterSunday, isBusinessDay } from '../../subgraphs/shared/businessDays.js';

describe('easterSunday', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('%i: %s', (year, easter) => {
    expect(easterSunday(year)).toBe(easter);
  });
});

describe('addBusinessDays', () => {
  it.each([
    ['an immediate procedure is due the day it starts', '2026-12-05', 0, '2026-12-05'],
    ['the day of submission does not count', '2026-12-02', 1, '2026-12-03'],
    ['a weekend is skipped', '2026-12-04', 1, '2026-12-07'],
    ['Inmaculada Concepción and Batalla de Ayacucho (8 and 9 December)', '2026-12-07', 1, '2026-12-10'],
    ['Christmas and a weekend', '2026-12-24', 1, '2026-12-28'],
    ['New Year', '2026-12-31', 1, '2027-01-04'],
    ['Holy Thursday and Good Friday, then Easter weekend', '2026-04-01', 1, '2026-04-06'],
    ['Día de la Fuerza Aérea, then Fiestas Patrias', '2026-07-22', 3, '2026-07-30'],
    ['Batalla de Arica (7 June) from 2024 on', '2024-06-06', 1, '2024-06-10'],
    ['7 June was a working day in 2023 (Ley 31788 came after it)', '2023-06-06', 1, '2023-06-07'],
    ['9 December was a working day in 2021 (Ley 31381, from 2022)', '2021-12-07', 1, '2021-12-09'],
    ['ten days across Christmas and New Year', '2026-12-21', 10, '2027-01-06'],
  ])('%s: %s + %i → %s', (_why, from, days, due) => {
    expect(addBusinessDays(from, days)).toBe(due);
  });
});

describe('isBusinessDay', () => {
  it.each([
    ['2026-12-02', true],
    ['2026-12-05', false],
    ['2026-12-06', false],
    ['2026-12-08', false],
    ['2026-08-06', false],
    ['2026-08-30', false],
    ['2026-10-08', false],
    ['2026-11-02', true],
  ])('%s: %s', (date, working) => {
    expect(isBusinessDay(date)).toBe(working);
  });
});
