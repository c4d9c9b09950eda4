import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { accessRulesOf, allowedWhateverTheRecord, decideAccess, ownerNamedBy, policyHolds, recordedPurpose, type Asking } from '../../lib/access.js';
import type { Caller } from '../../lib/caller.js';

const citizen: Caller = { kind: 'citizen', id: '41234567', scopes: [] };
const official: Caller = { kind: 'official', id: 'MTC-0001', name: 'Pedro', agency: 'MTC', office: 'mtc-lima-centro', scopes: ['applications:review'] };
const service: Caller = { kind: 'service', id: 'svc', name: null, agency: 'SUNARP', scopes: ['transport:read'] };
const as = (caller: Caller | null, purpose: string | null = null): Asking => ({ caller, purpose });

describe('the policy vocabulary', () => {
  it('data-subject: any citizen before the record is known, then only the one it is about', () => {
    expect(policyHolds('data-subject', as(citizen))).toBe(true);
    expect(policyHolds('data-subject', as(citizen), { subject: '41234567', owner: null })).toBe(true);
    expect(policyHolds('data-subject', as(citizen), { subject: '45678912', owner: null })).toBe(false);
    expect(policyHolds('data-subject', as(citizen), { subject: null, owner: 'SUNAT' })).toBe(false);
    expect(policyHolds('data-subject', as(official, 'x'))).toBe(false);
  });

  it('official-of: that agency, or the record owner, and always a stated purpose', () => {
    expect(policyHolds('official-of:MTC', as(official, 'review'))).toBe(true);
    expect(policyHolds('official-of:MTC', as(official))).toBe(false);
    expect(policyHolds('official-of:SAT', as(official, 'review'))).toBe(false);
    expect(policyHolds('official-of:owner', as(official, 'review'))).toBe(true);
    expect(policyHolds('official-of:owner', as(official, 'review'), { subject: 'x', owner: 'MTC' })).toBe(true);
    expect(policyHolds('official-of:owner', as(official, 'review'), { subject: 'x', owner: 'RENIEC' })).toBe(false);
    expect(policyHolds('official-of:MTC', as(service, 'x'))).toBe(false);
  });

  it("official-of:handler: an official of the agency handling the record's case, whose case number is the purpose", () => {
    const mtcCase = { subject: '41234567', owner: 'RENIEC', case: { id: 'CUT-2026-000123', agency: 'MTC' } };
    expect(policyHolds('official-of:handler', as(official))).toBe(true);
    expect(policyHolds('official-of:handler', as(official), mtcCase)).toBe(true);
    expect(policyHolds('official-of:handler', as(official), { ...mtcCase, case: { id: 'CUT-2026-000124', agency: 'RENIEC' } })).toBe(false);
    expect(policyHolds('official-of:handler', as(official, 'review'), { subject: '41234567', owner: 'MTC' })).toBe(false);
    expect(policyHolds('official-of:handler', as(citizen), mtcCase)).toBe(false);
    expect(policyHolds('official-of:handler', as(service, 'x'), mtcCase)).toBe(false);
    expect(recordedPurpose(as(official, 'stated'), mtcCase)).toBe('CUT-2026-000123');
    expect(recordedPurpose(as(official, 'stated'), { subject: 'x', owner: 'MTC' })).toBe('stated');
    expect(recordedPurpose(as(citizen), mtcCase)).toBeNull();
    expect(ownerNamedBy({ authenticated: false, scopes: [], policies: [[['official-of:handler']]] })).toBeNull();
  });

  it('service-with: an agency service holding the scope, stating a purpose', () => {
    expect(policyHolds('service-with:transport:read', as(service, 'transfer'))).toBe(true);
    expect(policyHolds('service-with:transport:read', as(service))).toBe(false);
    expect(policyHolds('service-with:taxes:read', as(service, 'transfer'))).toBe(false);
    // An official carrying the scope is still no service.
    expect(policyHolds('service-with:transport:read', as({ ...official, scopes: ['transport:read'] }, 'x'))).toBe(false);
  });

  it('nothing holds for nobody, nor for a policy it does not know', () => {
    expect(policyHolds('data-subject', as(null))).toBe(false);
    expect(policyHolds('admin', as(service, 'x'))).toBe(false);
    expect(policyHolds('official-of:', as(official, 'x'))).toBe(false);
  });
});

describe('rules from SDL, decided', () => {
  const rules = accessRulesOf(
    parse(`
      type Query { a: String @authenticated b: String @requiresScopes(scopes: [["x:read"], ["y:read", "z:read"]]) }
      type Box @policy(policies: [["data-subject"], ["official-of:MTC"]]) { id: ID! secret: String @policy(policies: [["service-with:transport:read"]]) }
    `),
  );

  it('reads each directive, on fields and types', () => {
    expect(rules.fields.get('Query.a')).toEqual({ authenticated: true, scopes: [], policies: [] });
    expect(rules.fields.get('Query.b')?.scopes).toEqual([[['x:read'], ['y:read', 'z:read']]]);
    expect(rules.types.get('Box')?.policies).toEqual([[['data-subject'], ['official-of:MTC']]]);
    expect(ownerNamedBy(rules.types.get('Box')!)).toBe('MTC');
  });

  it('needs a caller for anything guarded, then every directive (one group of each)', () => {
    expect(decideAccess(rules.fields.get('Query.a')!, as(null))).toBe('unauthenticated');
    expect(decideAccess(rules.fields.get('Query.a')!, as(citizen))).toBe('allowed');
    expect(decideAccess(rules.fields.get('Query.b')!, as({ ...service, scopes: ['y:read'] }, 'x'))).toBe('forbidden');
    expect(decideAccess(rules.fields.get('Query.b')!, as({ ...service, scopes: ['y:read', 'z:read'] }, 'x'))).toBe('allowed');
    expect(decideAccess(null, as(null))).toBe('allowed');
  });

  it('tells who may learn that a record is missing: only those allowed whatever the record', () => {
    const box = rules.types.get('Box')!;
    expect(allowedWhateverTheRecord(box, as(citizen))).toBe(false);
    expect(allowedWhateverTheRecord(box, as(official, 'x'))).toBe(true);
  });
});
