/** The state's calendar: dates on DNIs, licences and exams are Peruvian dates. */
export const PERU_TIME_ZONE = 'America/Lima';

const peruDate = new Intl.DateTimeFormat('en-CA', { timeZone: PERU_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Today in Peru, as a Date at midnight UTC of that day (the form `isoDate` and `addDays` work on).
 * Judging "expired" by the UTC date would expire a document at 19:00 in Lima, a day early.
 */
export function todayInPeru(now: Date = new Date()): Date {
  // en-CA formats as YYYY-MM-DD.
  return new Date(`${peruDate.format(now)}T00:00:00Z`);
}
