import { MET, notMet, unknown, type Verdict } from '../shared/requirementChecks.js';
import { RENEWAL_WINDOW_DAYS } from './dni.js';
import type { IdentityDocument } from './loaders.js';
import type { CivilRecordRow } from './store.js';

// RENIEC's verdicts on the requirements it owns, from the citizen's records: pure, so each is testable alone.

export function dniValidVerdict(document: IdentityDocument | null): Verdict {
  if (!document) return unknown('El RENIEC no tiene ningún DNI registrado a tu nombre.');
  switch (document.status) {
    case 'VALID':
      return MET;
    case 'EXPIRED':
      return notMet(`Tu DNI venció el ${document.expiresOn}: primero renuévalo (trámite renovar-dni).`);
    case 'CANCELLED':
      return notMet('Tu DNI fue cancelado: primero saca un duplicado (trámite duplicado-de-dni).');
  }
}

export function dniRenewableVerdict(document: IdentityDocument | null): Verdict {
  if (!document) return unknown('El RENIEC no tiene ningún DNI registrado a tu nombre.');
  if (document.renewable) return MET;
  return notMet(
    `Tu DNI está vigente hasta el ${document.expiresOn}: puedes renovarlo desde el ${document.renewableFrom}, ${RENEWAL_WINDOW_DAYS} días antes de que venza.`,
  );
}

/** `records` are all the citizen's civil records; only birth records count. */
export function birthRecordDigitisedVerdict(records: readonly CivilRecordRow[]): Verdict {
  const births = records.filter((record) => record.kind === 'BIRTH');
  if (births.some((record) => record.digitised)) return MET;
  const paperOnly = births[0];
  if (!paperOnly) return notMet('El RENIEC no tiene ninguna acta de nacimiento a tu nombre.');
  return notMet(
    `Tu acta de nacimiento ${paperOnly.recordNumber} (${paperOnly.place}) aún no está digitalizada: pide la copia en persona en una oficina del RENIEC.`,
  );
}
