import { shiftIsoDate } from './calendar.js';

/**
 * Peru's national holidays (feriados nacionales): article 6 of Decreto Legislativo 713, as amended by
 * Ley 31381 (9 December, from 2022), Ley 31530 (6 August, from 2022) and Ley 31788 (7 June, from 2024:
 * published on 15 June 2023), and Ley 31822 (23 July, Día de la Fuerza Aérea, observed from 2023).
 * Holy Thursday and Good Friday move with Easter. Days the government declares non-working (días no
 * laborables, by decreto supremo) are not holidays: they are not in the law, and offices may open.
 */
export const NATIONAL_HOLIDAYS: readonly { month: number; day: number; name: string; since?: number }[] = [
  { month: 1, day: 1, name: 'Año Nuevo' },
  { month: 5, day: 1, name: 'Día del Trabajo' },
  { month: 6, day: 7, name: 'Batalla de Arica y Día de la Bandera', since: 2024 },
  { month: 6, day: 29, name: 'San Pedro y San Pablo' },
  { month: 7, day: 23, name: 'Día de la Fuerza Aérea del Perú', since: 2023 },
  { month: 7, day: 28, name: 'Fiestas Patrias' },
  { month: 7, day: 29, name: 'Fiestas Patrias' },
  { month: 8, day: 6, name: 'Batalla de Junín', since: 2022 },
  { month: 8, day: 30, name: 'Santa Rosa de Lima' },
  { month: 10, day: 8, name: 'Combate de Angamos' },
  { month: 11, day: 1, name: 'Todos los Santos' },
  { month: 12, day: 8, name: 'Inmaculada Concepción' },
  { month: 12, day: 9, name: 'Batalla de Ayacucho', since: 2022 },
  { month: 12, day: 25, name: 'Navidad del Señor' },
];

const holidaysByYear = new Map<number, ReadonlySet<string>>();

/** The holidays of `year`, as ISO dates. */
export function holidaysOf(year: number): ReadonlySet<string> {
  let holidays = holidaysByYear.get(year);
  if (!holidays) {
    const pad = (n: number) => String(n).padStart(2, '0');
    const easter = easterSunday(year);
    holidays = new Set([
      ...NATIONAL_HOLIDAYS.filter(({ since }) => since === undefined || year >= since).map(({ month, day }) => `${year}-${pad(month)}-${pad(day)}`),
      // Jueves Santo and Viernes Santo.
      shiftIsoDate(easter, -3),
      shiftIsoDate(easter, -2),
    ]);
    holidaysByYear.set(year, holidays);
  }
  return holidays;
}

/** Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether public offices work on `iso` (YYYY-MM-DD): Monday to Friday, and not a national holiday. */
export function isBusinessDay(iso: string): boolean {
  const weekday = new Date(`${iso}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidaysOf(Number(iso.slice(0, 4))).has(iso);
}

/**
 * The day a time limit of `days` business days that starts on `from` ends: the days are counted from
 * the next business day on (the day of submission does not count), so 1 day from a Friday is the
 * Monday. 0 days: `from` itself (an immediate procedure).
 */
export function addBusinessDays(from: string, days: number): string {
  let date = from;
  for (let left = days; left > 0; ) {
    date = shiftIsoDate(date, 1);
    if (isBusinessDay(date)) left -= 1;
  }
  return date;
}
