import { describe, expect, it } from 'vitest';
import { todayInPeru } from '../../subgraphs/shared/calendar.js';
import { isoDate } from '../../subgraphs/shared/seeding.js';

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
