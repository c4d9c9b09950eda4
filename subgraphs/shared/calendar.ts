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

/** `date` moved by `days` (negative: earlier), as a new Date at midnight UTC. */
export function addDays(date: Date, days: number): Date {
  const moved = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved;
}

/** `YYYY-MM-DD` of a date, in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A stored status as read on `today`: VALID past its expiry date reads EXPIRED (it is still valid on
 * the expiry day itself); any other stored status (cancelled, suspended) outlasts expiry. Expiry is
 * never stored, because it changes with the calendar, not with an event.
 */
export function statusOn<Stored extends string>(stored: Stored, expiresOn: string, today: string): Stored | 'EXPIRED' {
  return stored === 'VALID' && expiresOn < today ? 'EXPIRED' : stored;
}

/** An ISO date (`YYYY-MM-DD`) moved by `days`, as an ISO date. */
export function shiftIsoDate(iso: string, days: number): string {
  return isoDate(addDays(new Date(`${iso}T00:00:00Z`), days));
}
