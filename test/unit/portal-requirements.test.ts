import { describe, expect, it } from 'vitest';
import { decideRequirements, unmetRequirements, verdictsFrom } from '../../subgraphs/portal/requirements.js';
import type { RequirementRecord } from '../../subgraphs/portal/store.js';

const requirement = (code: string, agencyCode: string, kind: RequirementRecord['kind'] = 'STATUS_CHECK'): RequirementRecord => ({
  slug: 'some-procedure',
  code,
  kind,
  description: `${code} described`,
  agencyCode,
});

const REVALIDATION = [
  requirement('dni-valid', 'RENIEC'),
  requirement('licence-revalidable', 'MTC'),
  requirement('no-unpaid-fines', 'SAT'),
  requirement('police-report', 'RENIEC', 'DOCUMENT'),
];

describe('deciding requirements from the agencies verdicts', () => {
  it('takes status and detail from the verdict of the subgraph answering each code', () => {
    const decided = decideRequirements(REVALIDATION, {
      identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }],
      transportChecks: [
        { code: 'licence-revalidable', status: 'MET', detail: null },
        { code: 'no-unpaid-fines', status: 'NOT_MET', detail: '2 papeletas sin pagar' },
      ],
      taxesChecks: [],
    });
    expect(decided.map(({ code, status, detail }) => ({ code, status, detail }))).toEqual([
      { code: 'dni-valid', status: 'MET', detail: null },
      { code: 'licence-revalidable', status: 'MET', detail: null },
      { code: 'no-unpaid-fines', status: 'NOT_MET', detail: '2 papeletas sin pagar' },
      {
        code: 'police-report',
        status: 'UNKNOWN',
        detail: 'Un documento que debes llevar (o adjuntar si lo haces en línea): ningún registro de una entidad puede mostrarlo.',
      },
    ]);
  });

  it('is UNKNOWN, naming the owning agency, when that subgraph gave no list or no verdict for the code', () => {
    const decided = decideRequirements(REVALIDATION, {
      identityChecks: [{ code: 'dni-renewable', status: 'MET', detail: null }],
      transportChecks: null,
    });
    expect(decided.slice(0, 3).map(({ status, detail }) => ({ status, detail }))).toEqual([
      { status: 'UNKNOWN', detail: 'RENIEC no puede responder en este momento.' },
      { status: 'UNKNOWN', detail: 'MTC no puede responder en este momento.' },
      { status: 'UNKNOWN', detail: 'SAT no puede responder en este momento.' },
    ]);
  });

  it('never takes a verdict from a subgraph that does not answer that code', () => {
    const [decided] = decideRequirements([requirement('no-tax-debt', 'SUNAT')], {
      identityChecks: [{ code: 'no-tax-debt', status: 'MET', detail: null }],
    });
    expect(decided?.status).toBe('UNKNOWN');
  });

  it('lists as unmet the status checks not MET, never documents', () => {
    const unmet = unmetRequirements(REVALIDATION, {
      identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }],
      transportChecks: [
        { code: 'licence-revalidable', status: 'UNKNOWN', detail: 'No licence on record.' },
        { code: 'no-unpaid-fines', status: 'NOT_MET', detail: '2 papeletas sin pagar' },
      ],
    });
    expect(unmet.map((r) => r.code)).toEqual(['licence-revalidable', 'no-unpaid-fines']);
  });

  it('keeps only the verdict lists of a representation, dropping what is not a list or null', () => {
    const representation = { __typename: 'Procedure', slug: 'renovar-dni', identityChecks: [], transportChecks: 'yes', taxesChecks: null };
    expect(verdictsFrom(representation as never)).toStrictEqual({ identityChecks: [], taxesChecks: null });
  });
});
