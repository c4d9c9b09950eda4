/** The five seeded personas (domain.md §6): every agency's seed writes them with the same DNI. */
export const ANA = '41234567';
export const LUIS = '45678912';
export const ROSA = '72345678';
export const JORGE = '43218765';
export const CARMEN = '47851236';

export const PERSONAS = [ANA, LUIS, ROSA, JORGE, CARMEN] as const;
