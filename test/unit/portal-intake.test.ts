import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { STATUS_CHECKS } from '../../subgraphs/portal/catalogue.js';
import { decodeIntake, encodeIntake, openingFor } from '../../subgraphs/portal/intake.js';
import type { DecidedRequirement } from '../../subgraphs/portal/requirements.js';

const decided = (code: string, agencyCode: string, status: DecidedRequirement['status'], detail: string | null = null): DecidedRequirement => ({
  slug: 'revalidar-licencia-de-conducir',
  code,
  kind: 'STATUS_CHECK',
  description: `${code} described.`,
  agencyCode,
  status,
  detail,
});
const REVALIDATION = { title: 'Revalidar licencia de conducir' };
const MTC = 'Ministerio de Transportes y Comunicaciones';

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('it was not refused');
}

describe('how a new application opens', () => {
  it('SUBMITTED with no next step when everything is met, and when some are UNKNOWN', () => {
    for (const status of ['MET', 'UNKNOWN'] as const) {
      expect(openingFor(REVALIDATION, MTC, 'ONLINE', [decided('dni-valid', 'RENIEC', 'MET'), decided('no-unpaid-fines', 'SAT', status, 'SAT no puede responder en este momento.')])).toEqual({
        status: 'SUBMITTED',
        nextStep: null,
        note: 'Recibida por la ventanilla única (en línea).',
      });
    }
  });

  it('ACTION_REQUIRED listing, agency by agency, what the citizen can settle', () => {
    const opening = openingFor(REVALIDATION, MTC, 'IN_PERSON', [
      decided('dni-valid', 'RENIEC', 'NOT_MET', 'Tu DNI venció.'),
      decided('medical-exam-approved', 'MTC', 'UNKNOWN'),
      decided('no-unpaid-fines', 'SAT', 'NOT_MET', '2 papeletas sin pagar.'),
    ]);
    expect(opening).toEqual({
      status: 'ACTION_REQUIRED',
      nextStep: `Resuelve lo que falta para que ${MTC} evalúe tu solicitud. RENIEC: Tu DNI venció. SAT: 2 papeletas sin pagar.`,
      note: 'Recibida por la ventanilla única (en persona). Falta que el ciudadano resuelva: RENIEC: Tu DNI venció. SAT: 2 papeletas sin pagar.',
    });
  });

  it('refuses with the reasons that make it impossible, and only those, in the message and extensions.requirements', () => {
    const error = refusal(() =>
      openingFor(REVALIDATION, MTC, 'ONLINE', [decided('dni-valid', 'RENIEC', 'NOT_MET', 'Tu DNI venció.'), decided('licence-revalidable', 'MTC', 'NOT_MET', 'No tienes licencia.')]),
    );
    expect(error.message).toBe('No puedes iniciar "Revalidar licencia de conducir". MTC: No tienes licencia.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'procedureSlug', requirements: [{ code: 'licence-revalidable', detail: 'No tienes licencia.' }] });
  });

  it('knows what NOT_MET does for every status check of the catalogue', () => {
    expect(Object.fromEntries(Object.entries(STATUS_CHECKS).map(([code, check]) => [code, check.whenNotMet]))).toEqual({
      'dni-valid': 'SETTLE',
      'dni-renewable': 'REFUSE',
      'birth-record-digitised': 'REFUSE',
      'no-unpaid-fines': 'SETTLE',
      'medical-exam-approved': 'SETTLE',
      'licence-revalidable': 'REFUSE',
      'vehicle-owner': 'REFUSE',
      'no-tax-debt': 'SETTLE',
      'ruc-not-registered': 'REFUSE',
      'ruc-active': 'SETTLE',
    });
  });
});

describe('the intake key', () => {
  it('carries the request there and back', () => {
    const request = { procedureSlug: 'pasaporte-electronico', channel: 'IN_PERSON' as const, officeId: 'migraciones-brena', idempotencyKey: 'key-0001-ñ' };
    expect(decodeIntake(encodeIntake(request))).toEqual(request);
  });

  it('is BAD_USER_INPUT when it is not one the intake made', () => {
    const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const intake of [42, null, 'not base64 json', encoded(null), encoded([1, 2]), encoded({ procedureSlug: 'renovar-dni', channel: 'BY_POST', officeId: null, idempotencyKey: 'k' }), encoded({ procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'k' })]) {
      expect(refusal(() => decodeIntake(intake)).extensions.code, String(intake)).toBe('BAD_USER_INPUT');
    }
  });
});
