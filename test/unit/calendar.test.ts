import { describe, expect, it } from 'vitest';
import { isoDate, shiftIsoDate, statusOn, todayInPeru } from '../../subgraphs/shared/calendar.js';

describe('todayInPeru', () => {
  it("is still the previous day in Lima (UTC-5) until 05:00 UTC", () => {
    expect(isoDate(todayInPeru(new Date('2026-11-27T01:00:00Z')))).toBe('2026-11-26');
    expect(isoDate(todayInPeru(new Date('2026-11-27T04:59:59Z')))).toBe('2026-11-26');
    expect(isoDate(todayInPeru(new Date('2026-11-27T05:00:00Z')))).toBe('2026-11-27');
  });

  it('crosses the year in Lima, not in Greenwich', () => {
    expect(isoDate(todayInPeru(new Date('2027-01-01T03:00:00Z')))).toBe('2026-12-31');
  });

  it('is midnight UTC of that day, the form the date helpers work on', () => {
    expect(todayInPeru(new Date('2026-06-15T18:30:00Z')).toISOString()).toBe('2026-06-15T00:00:00.000Z');
  });
});

describe('statusOn', () => {
  it('is VALID up to and including the expiry day, EXPIRED the day after', () => {
    expect(statusOn('VALID', '2026-01-10', '2026-01-10')).toBe('VALID');
    expect(statusOn('VALID', '2026-01-10', '2026-01-11')).toBe('EXPIRED');
  });

  it('keeps a cancellation or suspension whatever the date', () => {
    expect(statusOn('CANCELLED', '2030-01-01', '2026-01-01')).toBe('CANCELLED');
    expect(statusOn('CANCELLED', '2020-01-01', '2026-01-01')).toBe('CANCELLED');
    expect(statusOn('SUSPENDED', '2020-01-01', '2026-01-01')).toBe('SUSPENDED');
  });
});

describe('shiftIsoDate', () => {
  it('moves across months, leap days and years', () => {
    expect(shiftIsoDate('2024-03-01', -1)).toBe('2024-02-29');
    expect(shiftIsoDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(shiftIsoDate('2026-03-10', -60)).toBe('2026-01-09');
  });
});
