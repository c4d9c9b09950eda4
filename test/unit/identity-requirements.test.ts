import { describe, expect, it } from 'vitest';
import type { IdentityDocument } from '../../subgraphs/identity/loaders.js';
import { birthRecordDigitisedVerdict, dniRenewableVerdict, dniValidVerdict } from '../../subgraphs/identity/requirements.js';

const MET = { status: 'MET', detail: null };

const document = (changes: Partial<IdentityDocument> = {}): IdentityDocument => ({
  number: '41234567',
  kind: 'DNIE',
  issuedOn: '2018-03-01',
  expiresOn: '2026-03-01',
  status: 'VALID',
  renewableFrom: '2026-01-01',
  renewable: true,
  ...changes,
});

describe('dniValidVerdict', () => {
  it('is met by a VALID DNI; UNKNOWN when RENIEC holds none', () => {
    expect(dniValidVerdict(document())).toEqual(MET);
    expect(dniValidVerdict(null)).toEqual({ status: 'UNKNOWN', detail: 'El RENIEC no tiene ningún DNI registrado a tu nombre.' });
  });

  it('is not met by a CANCELLED DNI, even one not yet expired, and points to a duplicate', () => {
    expect(dniValidVerdict(document({ status: 'CANCELLED' }))).toEqual({
      status: 'NOT_MET',
      detail: 'Tu DNI fue cancelado: primero saca un duplicado (trámite duplicado-de-dni).',
    });
  });
});

describe('dniRenewableVerdict', () => {
  it('names the renewal window in days', () => {
    expect(dniRenewableVerdict(document({ renewable: false }))).toEqual({
      status: 'NOT_MET',
      detail: 'Tu DNI está vigente hasta el 2026-03-01: puedes renovarlo desde el 2026-01-01, 60 días antes de que venza.',
    });
  });
});

describe('birthRecordDigitisedVerdict', () => {
  it('counts only birth records', () => {
    const marriage = { recordNumber: '2000001000', dni: '41234567', kind: 'MARRIAGE' as const, registeredOn: '2015-01-01', place: 'Lima', digitised: true };
    expect(birthRecordDigitisedVerdict([marriage])).toEqual({ status: 'NOT_MET', detail: 'El RENIEC no tiene ninguna acta de nacimiento a tu nombre.' });
  });
});
