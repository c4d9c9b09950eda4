import { MET, notMet, unknown, type Verdict } from '../shared/requirementChecks.js';
import { RENEWAL_WINDOW_DAYS } from './dni.js';
import type { IdentityDocument } from './loaders.js';
import type { CivilRecordRow } from './store.js';

// RENIEC's verdicts on the requirements it owns, from the citizen's records: pure, so each is testable alone.

export function dniValidVerdict(document: IdentityDocument | null): Verdict {
  if (!document) return unknown('RENIEC holds no DNI for you.');
  switch (document.status) {
    case 'VALID':
      return MET;
    case 'EXPIRED':
      return notMet(`Your DNI expired on ${document.expiresOn}: renew it first (procedure renovar-dni).`);
    case 'CANCELLED':
      return notMet('Your DNI was cancelled: get a duplicate first (procedure duplicado-de-dni).');
  }
}

export function dniRenewableVerdict(document: IdentityDocument | null): Verdict {
  if (!document) return unknown('RENIEC holds no DNI for you.');
  if (document.renewable) return MET;
  return notMet(
    `Your DNI is valid until ${document.expiresOn}: it can be renewed from ${document.renewableFrom}, ${RENEWAL_WINDOW_DAYS} days before it expires.`,
  );
}

/** `records` are all the citizen's civil records; only birth records count. */
export function birthRecordDigitisedVerdict(records: readonly CivilRecordRow[]): Verdict {
  const births = records.filter((record) => record.kind === 'BIRTH');
  if (births.some((record) => record.digitised)) return MET;
  const paperOnly = births[0];
  if (!paperOnly) return notMet('RENIEC holds no birth record for you.');
  return notMet(
    `Your birth record ${paperOnly.recordNumber} (${paperOnly.place}) is not digitised yet: ask for the copy in person at a RENIEC office.`,
  );
}
