import { describe, expect, it } from 'vitest';
import { AGENCIES, OFFICES, PROCEDURES, STATUS_CHECKS } from '../../subgraphs/portal/catalogue.js';
import { rucProblem } from '../../subgraphs/taxes/ruc.js';

describe('portal catalogue data', () => {
  const agencyCodes = new Set(AGENCIES.map((agency) => agency.code));

  it('holds the twelve procedures of the domain brief and the SUNAT refund, the contract slugs among them, each slug once', () => {
    const slugs = PROCEDURES.map((procedure) => procedure.slug);
    expect(new Set(slugs).size).toBe(13);
    expect(slugs).toEqual(
      expect.arrayContaining([
        'revalidar-licencia-de-conducir',
        'renovar-dni',
        'duplicado-de-dni',
        'pagar-papeletas',
        'inscribirse-en-el-ruc',
        'consultar-deuda-tributaria',
      ]),
    );
  });

  it('gives every agency an 11-digit RUC of type 20 whose check digit is right', () => {
    // PCM runs the platform itself (the MAC centres, the portal's own record of reads).
    expect([...agencyCodes].sort()).toEqual(['MIGRACIONES', 'MTC', 'PCM', 'RENIEC', 'SAT', 'SUNARP', 'SUNAT']);
    for (const agency of AGENCIES) {
      expect(agency.ruc, agency.code).toMatch(/^20\d{9}$/);
      expect(rucProblem(agency.ruc), agency.code).toBeNull();
    }
  });

  it('names only known agencies, offices and status checks', () => {
    const officeIds = new Set(OFFICES.map((office) => office.id));
    for (const check of Object.values(STATUS_CHECKS)) expect(agencyCodes).toContain(check.agencyCode);
    for (const office of OFFICES) if (office.agencyCode) expect(agencyCodes).toContain(office.agencyCode);
    for (const procedure of PROCEDURES) {
      expect(agencyCodes, procedure.slug).toContain(procedure.agencyCode);
      for (const requirement of procedure.requirements) {
        if (requirement.kind === 'STATUS_CHECK') expect(Object.keys(STATUS_CHECKS)).toContain(requirement.code);
      }
      for (const channel of procedure.channels) for (const id of channel.officeIds) expect(officeIds, procedure.slug).toContain(id);
    }
  });

  it('answers the contract requirement codes from the agreed subgraphs', () => {
    expect(STATUS_CHECKS['dni-valid']).toMatchObject({ answeredBy: 'identity', agencyCode: 'RENIEC' });
    expect(STATUS_CHECKS['no-unpaid-fines']).toMatchObject({ answeredBy: 'transport', agencyCode: 'SAT' });
    expect(STATUS_CHECKS['medical-exam-approved']).toMatchObject({ answeredBy: 'transport', agencyCode: 'MTC' });
    expect(STATUS_CHECKS['no-tax-debt']).toMatchObject({ answeredBy: 'taxes', agencyCode: 'SUNAT' });
  });

  it('gives online channels a url and in-person channels offices', () => {
    for (const procedure of PROCEDURES) {
      expect(procedure.channels.length, procedure.slug).toBeGreaterThan(0);
      for (const channel of procedure.channels) {
        if (channel.kind === 'ONLINE') expect(channel.url, procedure.slug).toMatch(/^https:\/\//);
        else expect(channel.officeIds.length, procedure.slug).toBeGreaterThan(0);
      }
    }
  });

  it('states every fee with two decimals and an as-of date, with a payment code only when there is something to pay', () => {
    for (const { slug, fee } of PROCEDURES) {
      expect(fee.amount, slug).toMatch(/^\d+\.\d{2}$/);
      expect(fee.asOf, slug).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (fee.amount === '0.00') expect(fee.paymentCode, slug).toBeNull();
    }
    const revalidation = PROCEDURES.find((procedure) => procedure.slug === 'revalidar-licencia-de-conducir');
    expect(revalidation?.fee).toMatchObject({ amount: '6.80', paymentCode: '1601' });
  });
});
