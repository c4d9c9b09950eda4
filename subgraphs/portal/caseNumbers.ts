/**
 * Case numbers (CUT, Código Único de Trámite): `CUT-<year>-<serial>`, the serial zero-padded to at least
 * six digits. The serial comes from one sequence that never restarts, so the year is informative only.
 */
export function formatCaseNumber(year: number, serial: number): string {
  return `CUT-${year}-${String(serial).padStart(6, '0')}`;
}

export function isCaseNumber(id: string): boolean {
  return /^CUT-\d{4}-\d{6,}$/.test(id);
}
