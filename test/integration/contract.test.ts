import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES, STATUS_CHECKS } from '../../subgraphs/portal/catalogue.js';
import { isoDate } from '../../subgraphs/shared/calendar.js';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';
import { citizenToken, agencyToken, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { makeRoom, TEST_TODAY } from '../helpers/subgraph.js';
import { CONTRACT_OPERATIONS, daysBetween, expectNoErrors, expectOneError, sendContractOperation } from './support.js';

/**
 * The portal contract (shared/contract/portal.graphql), each operation sent verbatim by name through
 * the real gateway over HTTP, against the four real subgraphs on their own PostgreSQL databases seeded
 * with the personas of domain.md §6. Every answer is checked for what its comment promises.
 */
let platform: Platform;
const today = isoDate(TEST_TODAY);

beforeAll(async () => {
  platform = await startPlatform({ citizens: 30 });
});
afterAll(async () => {
  await platform?.close();
});

const send = (operationName: string, variables: Record<string, unknown> = {}, token?: string | Credentials) =>
  sendContractOperation(platform.url, operationName, variables, token);
const as = (dni: string) => citizenToken(dni);

interface Requirement {
  code: string;
  description: string;
  status: 'MET' | 'NOT_MET' | 'UNKNOWN';
  detail: string | null;
  agency: { code: string };
}

function requirementsOf(response: GraphQLResponse): Record<string, Requirement> {
  expectNoErrors(response);
  return Object.fromEntries((response.data.procedure.requirements as Requirement[]).map((requirement) => [requirement.code, requirement]));
}

const DECIMAL = /^\d+\.\d{2}$/;
const CASE_NUMBER = /^CUT-(\d{4})-\d{6,}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

it('the contract holds the five operations this suite exercises', () => {
  expect(CONTRACT_OPERATIONS).toEqual(['SearchProcedures', 'WhatDoINeed', 'WhereIsMyApplication', 'MyRecords', 'StartApplication']);
});

describe('SearchProcedures (public)', () => {
  it('finds licence revalidation by "licencia", with its agency, fee and channels', async () => {
    const response = await send('SearchProcedures', { text: 'licencia' });
    expectNoErrors(response);
    const { totalCount, edges, pageInfo } = response.data.procedures;
    const node = edges.map((edge: { node: { slug: string } }) => edge.node).find((n: { slug: string }) => n.slug === 'revalidar-licencia-de-conducir');
    expect(node).toEqual({
      slug: 'revalidar-licencia-de-conducir',
      title: 'Revalidar licencia de conducir',
      summary: expect.stringContaining('driving licence'),
      agency: { code: 'MTC', name: 'Ministerio de Transportes y Comunicaciones' },
      fee: { amount: '6.80', currency: 'PEN' },
      channels: expect.arrayContaining([{ kind: 'ONLINE' }, { kind: 'IN_PERSON' }]),
    });
    expect(totalCount).toBe(edges.length);
    expect(pageInfo.hasNextPage).toBe(false);
  });

  it('ignores accents and case: "REVALIDACION" finds "Revalidación"', async () => {
    const response = await send('SearchProcedures', { text: 'REVALIDACION' });
    expectNoErrors(response);
    expect(response.data.procedures.edges.map((edge: { node: { slug: string } }) => edge.node.slug)).toContain('revalidar-licencia-de-conducir');
  });

  it('filters by agency code (in any case): SUNAT lists only its own procedures', async () => {
    const response = await send('SearchProcedures', { agency: 'sunat' });
    expectNoErrors(response);
    const nodes = response.data.procedures.edges.map((edge: { node: unknown }) => edge.node) as { slug: string; agency: { code: string } }[];
    expect(new Set(nodes.map((node) => node.agency.code))).toEqual(new Set(['SUNAT']));
    expect(nodes.map((node) => node.slug)).toEqual(
      expect.arrayContaining(['inscribirse-en-el-ruc', 'consultar-deuda-tributaria', 'solicitar-devolucion-de-renta']),
    );
    expect(response.data.procedures.totalCount).toBe(nodes.length);
  });

  it('an unknown agency is an empty page, not an error', async () => {
    const response = await send('SearchProcedures', { agency: 'NASA' });
    expectNoErrors(response);
    expect(response.data.procedures).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('pages with first/after visit every procedure exactly once, and totalCount says how many', async () => {
    const everything = await send('SearchProcedures', { first: 100 });
    expectNoErrors(everything);
    const all = everything.data.procedures.edges.map((edge: { node: { slug: string } }) => edge.node.slug) as string[];
    expect(all.length).toBe(everything.data.procedures.totalCount);
    expect(all).toEqual(expect.arrayContaining(['revalidar-licencia-de-conducir', 'renovar-dni', 'duplicado-de-dni', 'pagar-papeletas', 'inscribirse-en-el-ruc', 'consultar-deuda-tributaria']));

    const visited: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await send('SearchProcedures', { first: 4, after });
      expectNoErrors(page);
      const { totalCount, pageInfo, edges } = page.data.procedures;
      expect(totalCount).toBe(all.length);
      expect(edges.length).toBeLessThanOrEqual(4);
      visited.push(...edges.map((edge: { node: { slug: string } }) => edge.node.slug));
      pages++;
      if (!pageInfo.hasNextPage) break;
      expect(edges.length).toBe(4);
      after = pageInfo.endCursor;
      expect(typeof after).toBe('string');
      expect(pages).toBeLessThan(20);
    }
    expect(pages).toBe(Math.ceil(all.length / 4));
    expect(new Set(visited).size).toBe(visited.length);
    expect(visited).toEqual(all);
  });

  it('Money amounts are exact decimal strings, never floats', async () => {
    const response = await send('SearchProcedures', { first: 100 });
    expectNoErrors(response);
    const fees = response.data.procedures.edges.map((edge: { node: { slug: string; fee: { amount: unknown; currency: string } } }) => [edge.node.slug, edge.node.fee]);
    for (const [, fee] of fees) {
      expect(typeof fee.amount).toBe('string');
      expect(fee.amount).toMatch(DECIMAL);
      expect(fee.currency).toBe('PEN');
    }
    expect(Object.fromEntries(fees)).toMatchObject({
      'revalidar-licencia-de-conducir': { amount: '6.80' },
      'renovar-dni': { amount: '30.00' },
      'pasaporte-electronico': { amount: '98.60' },
      'pagar-papeletas': { amount: '0.00' },
    });
  });
});

describe('WhatDoINeed', () => {
  const REVALIDATION = 'revalidar-licencia-de-conducir';

  it('describes licence revalidation as seeded: fee, payment code, days, channels and offices', async () => {
    const response = await send('WhatDoINeed', { slug: REVALIDATION }, await as(ANA));
    expectNoErrors(response);
    const { requirements, channels, ...procedure } = response.data.procedure;
    expect(procedure).toEqual({
      slug: REVALIDATION,
      title: 'Revalidar licencia de conducir',
      summary: expect.any(String),
      agency: { code: 'MTC', name: 'Ministerio de Transportes y Comunicaciones' },
      fee: { amount: '6.80', currency: 'PEN', paymentCode: '1601' },
      processingDays: 1,
    });
    const byKind = Object.fromEntries(channels.map((channel: { kind: string }) => [channel.kind, channel]));
    expect(byKind.ONLINE).toEqual({ kind: 'ONLINE', url: 'https://licencias.mtc.gob.pe', offices: [] });
    expect(byKind.IN_PERSON.url).toBeNull();
    expect(byKind.IN_PERSON.offices.map((office: { id: string }) => office.id).sort()).toEqual(['mac-callao', 'mac-lima-norte', 'mtc-lima-centro']);
    expect(byKind.IN_PERSON.offices).toContainEqual({ id: 'mac-lima-norte', name: 'MAC Lima Norte', address: 'Av. Alfredo Mendiola 1400, C.C. Plaza Norte' });
    // Each requirement names the agency that owns the fact, whichever subgraph answers it.
    expect(requirements.map((requirement: Requirement) => [requirement.code, requirement.agency.code])).toEqual([
      ['dni-valid', 'RENIEC'],
      ['licence-revalidable', 'MTC'],
      ['medical-exam-approved', 'MTC'],
      ['no-unpaid-fines', 'SAT'],
    ]);
    for (const requirement of requirements) expect(requirement.description).not.toBe('');
  });

  it('Ana (41234567): every requirement of revalidation is MET, with no detail', async () => {
    const requirements = requirementsOf(await send('WhatDoINeed', { slug: REVALIDATION }, await as(ANA)));
    expect(Object.values(requirements).map(({ code, status, detail }) => ({ code, status, detail }))).toEqual([
      { code: 'dni-valid', status: 'MET', detail: null },
      { code: 'licence-revalidable', status: 'MET', detail: null },
      { code: 'medical-exam-approved', status: 'MET', detail: null },
      { code: 'no-unpaid-fines', status: 'MET', detail: null },
    ]);
  });

  it('Luis (45678912): no-unpaid-fines is NOT_MET (SAT) and lists both unpaid fines; the rest MET', async () => {
    const requirements = requirementsOf(await send('WhatDoINeed', { slug: REVALIDATION }, await as(LUIS)));
    expect(requirements['dni-valid']).toMatchObject({ status: 'MET', detail: null, agency: { code: 'RENIEC' } });
    expect(requirements['licence-revalidable']).toMatchObject({ status: 'MET', agency: { code: 'MTC' } });
    expect(requirements['medical-exam-approved']).toMatchObject({ status: 'MET', agency: { code: 'MTC' } });
    const fines = requirements['no-unpaid-fines']!;
    expect(fines).toMatchObject({ status: 'NOT_MET', agency: { code: 'SAT' } });
    expect(fines.detail).toContain('2 papeletas sin pagar');
    expect(fines.detail).toContain('SAT-2025-0000123 L02 S/ 214.00');
    expect(fines.detail).toContain('SAT-2025-0000457 G10 S/ 428.00');
    expect(fines.detail).toContain('pagar-papeletas');
    // His paid fine is history, not a reason.
    expect(fines.detail).not.toContain('SAT-2023-0000089');
  });

  it('Rosa (72345678): dni-valid is NOT_MET, sending her to renovar-dni, for revalidation and for the passport', async () => {
    for (const slug of [REVALIDATION, 'pasaporte-electronico']) {
      const requirements = requirementsOf(await send('WhatDoINeed', { slug }, await as(ROSA)));
      expect(requirements['dni-valid']).toMatchObject({ status: 'NOT_MET', agency: { code: 'RENIEC' } });
      expect(requirements['dni-valid']!.detail).toMatch(/venció el \d{4}-\d{2}-\d{2}.*renovar-dni/);
    }
    // She holds no licence and took no exam: transport says so too.
    const revalidation = requirementsOf(await send('WhatDoINeed', { slug: REVALIDATION }, await as(ROSA)));
    expect(revalidation['licence-revalidable']!.status).toBe('NOT_MET');
    expect(revalidation['medical-exam-approved']!.status).toBe('NOT_MET');
    expect(revalidation['no-unpaid-fines']!.status).toBe('MET');
  });

  it('Rosa may renew her DNI: dni-renewable is MET', async () => {
    const requirements = requirementsOf(await send('WhatDoINeed', { slug: 'renovar-dni' }, await as(ROSA)));
    expect(requirements).toEqual({ 'dni-renewable': expect.objectContaining({ status: 'MET', detail: null, agency: { code: 'RENIEC' } }) });
  });

  it('Jorge (43218765): no-tax-debt is NOT_MET for the income-tax refund, with his debts in coactive collection', async () => {
    const response = await send('WhatDoINeed', { slug: 'solicitar-devolucion-de-renta' }, await as(JORGE));
    const requirements = requirementsOf(response);
    expect(response.data.procedure).toMatchObject({ agency: { code: 'SUNAT' }, fee: { amount: '0.00', currency: 'PEN', paymentCode: null } });
    expect(requirements['ruc-active']).toMatchObject({ status: 'MET', agency: { code: 'SUNAT' } });
    const debt = requirements['no-tax-debt']!;
    expect(debt).toMatchObject({ status: 'NOT_MET', agency: { code: 'SUNAT' } });
    expect(debt.detail).toContain('3 deudas tributarias pendientes, S/ 4,860.00 en total, 2 de ellas en cobranza coactiva');
    expect(debt.detail).toContain('S/ 3,250.00 (en cobranza coactiva)');
  });

  it('Ana owes SUNAT nothing: the refund has every requirement MET', async () => {
    const requirements = requirementsOf(await send('WhatDoINeed', { slug: 'solicitar-devolucion-de-renta' }, await as(ANA)));
    expect(Object.values(requirements).map((requirement) => [requirement.code, requirement.status])).toEqual([
      ['ruc-active', 'MET'],
      ['no-tax-debt', 'MET'],
    ]);
  });

  it('a document to bring is UNKNOWN: no agency record can show it', async () => {
    const requirements = requirementsOf(await send('WhatDoINeed', { slug: 'duplicado-de-dni' }, await as(CARMEN)));
    expect(requirements['police-report']).toMatchObject({ status: 'UNKNOWN', detail: expect.stringContaining('document') });
  });

  it('nobody signed in: the same procedure, every status UNKNOWN "Inicia sesión para verificarlo."', async () => {
    for (const slug of [REVALIDATION, 'solicitar-devolucion-de-renta', 'renovar-dni']) {
      const response = await send('WhatDoINeed', { slug });
      const requirements = Object.values(requirementsOf(response));
      expect(requirements.length).toBeGreaterThan(0);
      for (const requirement of requirements) expect(requirement).toMatchObject({ status: 'UNKNOWN', detail: 'Inicia sesión para verificarlo.' });
    }
  });

  it("an agency's token is nobody's: every status UNKNOWN", async () => {
    const token = await agencyToken(['identity:read', 'transport:read', 'taxes:read', 'portal:read']);
    const requirements = Object.values(requirementsOf(await send('WhatDoINeed', { slug: REVALIDATION }, token)));
    expect(requirements.map((requirement) => [requirement.code, requirement.status])).toEqual([
      ['dni-valid', 'UNKNOWN'],
      ['licence-revalidable', 'UNKNOWN'],
      ['medical-exam-approved', 'UNKNOWN'],
      ['no-unpaid-fines', 'UNKNOWN'],
    ]);
  });

  it('every status check of every procedure is answered by the subgraph STATUS_CHECKS routes it to, for the agency it names', async () => {
    // A code routed to a subgraph that does not own it gets no verdict: "<AGENCY> no puede responder en este momento."
    const token = await as(CARMEN);
    const answered = new Set<string>();
    for (const procedure of PROCEDURES.filter((p) => p.requirements.some((requirement) => requirement.kind === 'STATUS_CHECK'))) {
      const requirements = requirementsOf(await send('WhatDoINeed', { slug: procedure.slug }, token));
      for (const { code, kind } of procedure.requirements) {
        if (kind !== 'STATUS_CHECK') continue;
        const requirement = requirements[code]!;
        expect(requirement.detail ?? '', `${procedure.slug} ${code}`).not.toMatch(/no puede responder en este momento/);
        expect(requirement.agency.code, `${procedure.slug} ${code}`).toBe(STATUS_CHECKS[code].agencyCode);
        answered.add(code);
      }
    }
    expect([...answered].sort()).toEqual(Object.keys(STATUS_CHECKS).sort());
  });
});

describe('WhereIsMyApplication', () => {
  interface Application {
    id: string;
    procedure: { slug: string; title: string; agency: { code: string; name: string } };
    status: string;
    submittedAt: string;
    updatedAt: string;
    nextStep: string | null;
    office: { id: string; name: string; address: string } | null;
    timeline: { at: string; status: string; note: string }[];
  }

  async function applicationsOf(dni: string): Promise<Application[]> {
    const response = await send('WhereIsMyApplication', {}, await as(dni));
    expectNoErrors(response);
    expect(response.data.me.dni).toBe(dni);
    return response.data.me.applications;
  }

  it('Carmen (47851236): three applications at three agencies, newest first', async () => {
    const response = await send('WhereIsMyApplication', {}, await as(CARMEN));
    expectNoErrors(response);
    expect(response.data.me.fullName).toBe('Carmen Rosa Flores Vargas');
    const applications = response.data.me.applications as Application[];
    expect(applications.map((application) => [application.procedure.slug, application.procedure.agency.code, application.status])).toEqual([
      ['duplicado-de-dni', 'RENIEC', 'IN_REVIEW'],
      ['revalidar-licencia-de-conducir', 'MTC', 'READY_FOR_PICKUP'],
      ['inscribirse-en-el-ruc', 'SUNAT', 'COMPLETED'],
    ]);
    const submitted = applications.map((application) => application.submittedAt);
    expect([...submitted].sort().reverse()).toEqual(submitted);
    expect(new Set(submitted).size).toBe(3);
    for (const application of applications) {
      expect(application.id).toMatch(CASE_NUMBER);
      expect(application.submittedAt).toMatch(ISO_INSTANT);
      expect(application.submittedAt < `${today}T23:59:59Z`).toBe(true);
    }
  });

  it('the licence ready for pick-up names its office and says where to go', async () => {
    const pickup = (await applicationsOf(CARMEN)).find((application) => application.status === 'READY_FOR_PICKUP')!;
    expect(pickup.office).toEqual({ id: 'mac-lima-norte', name: 'MAC Lima Norte', address: 'Av. Alfredo Mendiola 1400, C.C. Plaza Norte' });
    expect(pickup.nextStep).toContain('MAC Lima Norte');
    expect(pickup.procedure.title).toBe('Revalidar licencia de conducir');
  });

  it('each timeline runs oldest first, from SUBMITTED at submission to the current status at the last update', async () => {
    const applications = await applicationsOf(CARMEN);
    expect(applications.map((application) => application.timeline.length)).toEqual([2, 4, 2]);
    for (const application of applications) {
      const at = application.timeline.map((event) => event.at);
      expect([...at].sort()).toEqual(at);
      expect(application.timeline[0]).toMatchObject({ status: 'SUBMITTED', at: application.submittedAt });
      expect(application.timeline.at(-1)).toMatchObject({ status: application.status, at: application.updatedAt });
      for (const event of application.timeline) expect(event.note).not.toBe('');
    }
    const pickup = applications.find((application) => application.status === 'READY_FOR_PICKUP')!;
    expect(pickup.timeline.map((event) => event.status)).toEqual(['SUBMITTED', 'IN_REVIEW', 'APPROVED', 'READY_FOR_PICKUP']);
  });

  it("another citizen sees only their own applications, none of Carmen's", async () => {
    const carmens = new Set((await applicationsOf(CARMEN)).map((application) => application.id));
    expect(await applicationsOf(ROSA)).toEqual([]);

    // A generated citizen with an application sees exactly the ones the portal holds for them.
    const { rows } = await platform.subgraphs.portal.db.query<{ dni: string }>(
      `SELECT dni FROM applications WHERE dni <> $1 ORDER BY dni LIMIT 1`,
      [CARMEN],
    );
    const someone = rows[0]!.dni;
    const theirs = await platform.subgraphs.portal.db.query<{ id: string }>('SELECT id FROM applications WHERE dni = $1', [someone]);
    const seen = await applicationsOf(someone);
    expect(seen.map((application) => application.id).sort()).toEqual(theirs.rows.map((row) => row.id).sort());
    for (const application of seen) expect(carmens.has(application.id)).toBe(false);
  });

  it('nobody signed in: me is null, and that is not an error', async () => {
    const response = await send('WhereIsMyApplication');
    expectNoErrors(response);
    expect(response.data).toEqual({ me: null });
  });
});

describe('MyRecords', () => {
  it('Ana: her whole record, each part from the agency that knows it', async () => {
    const response = await send('MyRecords', {}, await as(ANA));
    expectNoErrors(response);
    const me = response.data.me;
    expect(me).toMatchObject({ dni: ANA, fullName: 'Ana María Quispe Mamani', birthDate: '1988-03-14' });
    // RENIEC
    expect(me.identityDocument).toMatchObject({ number: ANA, status: 'VALID' });
    expect(me.identityDocument.expiresOn > today).toBe(true);
    expect(me.identityDocument.issuedOn < today).toBe(true);
    // MTC: an A-I licence expiring within 60 days, hence revalidable.
    expect(me.drivingLicence).toMatchObject({ class: 'A_I', status: 'VALID', points: 0 });
    const daysLeft = daysBetween(today, me.drivingLicence.expiresOn);
    expect(daysLeft).toBeGreaterThanOrEqual(0);
    expect(daysLeft).toBeLessThanOrEqual(60);
    // SAT and SUNARP
    expect(me.trafficFines).toEqual([]);
    expect(me.vehicles).toEqual([{ plate: 'BKR-512', make: 'Toyota', model: 'Yaris', year: 2019 }]);
    // SUNAT: "10" + DNI + check digit, nothing owed.
    expect(me.taxpayer).toMatchObject({ ruc: rucForDni(ANA), status: 'ACTIVE', condition: 'HABIDO' });
    expect(me.taxpayer.ruc).toBe('10412345679');
    for (const debt of me.taxpayer.debts) {
      expect(debt.status).toBe('PAID');
      expect(debt.amount.amount).toMatch(DECIMAL);
    }
  });

  it("Luis: his expired licence and his two unpaid fines, amounts as decimal strings", async () => {
    const response = await send('MyRecords', {}, await as(LUIS));
    expectNoErrors(response);
    const me = response.data.me;
    expect(me.fullName).toBe('Luis Alberto Huamán Torres');
    expect(me.drivingLicence).toMatchObject({ class: 'A_I', status: 'EXPIRED' });
    expect(me.drivingLicence.expiresOn < today).toBe(true);
    const unpaid = me.trafficFines.filter((fine: { status: string }) => fine.status === 'UNPAID');
    expect(unpaid.map((fine: { number: string; code: string; amount: unknown }) => [fine.number, fine.code, fine.amount]).sort()).toEqual([
      ['SAT-2025-0000123', 'L02', { amount: '214.00', currency: 'PEN' }],
      ['SAT-2025-0000457', 'G10', { amount: '428.00', currency: 'PEN' }],
    ]);
    expect(me.trafficFines).toContainEqual(expect.objectContaining({ number: 'SAT-2023-0000089', status: 'PAID' }));
    // Newest first.
    const issued = me.trafficFines.map((fine: { issuedOn: string }) => fine.issuedOn);
    expect([...issued].sort().reverse()).toEqual(issued);
    expect(me.vehicles).toEqual([expect.objectContaining({ plate: 'CHT-408', make: 'Hyundai', model: 'Accent' })]);
    expect(me.taxpayer).toBeNull();
  });

  it('Jorge: RUC 10432187654 with debts in coactive collection', async () => {
    const response = await send('MyRecords', {}, await as(JORGE));
    expectNoErrors(response);
    const taxpayer = response.data.me.taxpayer;
    expect(taxpayer).toMatchObject({ ruc: '10432187654', status: 'ACTIVE', condition: 'HABIDO' });
    expect(rucForDni(JORGE)).toBe('10432187654');
    const coactive = taxpayer.debts.filter((debt: { status: string }) => debt.status === 'IN_COACTIVE_COLLECTION');
    expect(coactive.map((debt: { amount: { amount: string } }) => debt.amount.amount).sort()).toEqual(['1180.00', '3250.00']);
    expect(taxpayer.debts).toContainEqual(expect.objectContaining({ status: 'PENDING', amount: { amount: '430.00', currency: 'PEN' } }));
    // Oldest period first.
    const periods = taxpayer.debts.map((debt: { period: string }) => debt.period);
    expect([...periods].sort()).toEqual(periods);
  });

  it('nobody signed in: me is null', async () => {
    const response = await send('MyRecords');
    expectNoErrors(response);
    expect(response.data).toEqual({ me: null });
  });
});

describe('StartApplication', () => {
  let keys = 0;
  /** A fresh idempotency key per call site: keys are per citizen and the database outlives each test. */
  const newKey = () => `it-contract-${process.pid}-${++keys}-${Math.random().toString(36).slice(2)}`;
  const start = async (dni: string | null, input: Record<string, unknown>) =>
    send('StartApplication', { input }, dni ? await as(dni) : undefined);

  async function rowsFor(dni: string, idempotencyKey: string) {
    const applications = await platform.subgraphs.portal.db.query<{ id: string }>(
      'SELECT id FROM applications WHERE dni = $1 AND idempotency_key = $2',
      [dni, idempotencyKey],
    );
    const events = await platform.subgraphs.portal.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM application_events WHERE application_id = ANY($1)',
      [applications.rows.map((row) => row.id)],
    );
    return { ids: applications.rows.map((row) => row.id), events: Number(events.rows[0]!.n) };
  }

  it('Ana starts licence revalidation online: SUBMITTED, a CUT case number, nothing unmet', async () => {
    const response = await start(ANA, { procedureSlug: 'revalidar-licencia-de-conducir', channel: 'ONLINE', idempotencyKey: newKey() });
    expectNoErrors(response);
    const { application, unmetRequirements } = response.data.startApplication;
    expect(application).toMatchObject({ status: 'SUBMITTED', procedure: { slug: 'revalidar-licencia-de-conducir' } });
    expect(application.id).toMatch(CASE_NUMBER);
    const limaYear = new Intl.DateTimeFormat('en', { timeZone: 'America/Lima', year: 'numeric' }).format(new Date());
    expect(CASE_NUMBER.exec(application.id)![1]).toBe(limaYear);
    expect(application.submittedAt).toMatch(ISO_INSTANT);
    expect(unmetRequirements).toEqual([]);
  });

  it('Ana starts renovar-dni in person: her DNI is not yet renewable, so it is refused with RENIEC saying until when, and nothing is made', async () => {
    const idempotencyKey = newKey();
    const response = await start(ANA, { procedureSlug: 'renovar-dni', channel: 'IN_PERSON', officeId: 'mac-lima-este', idempotencyKey });
    const error = expectOneError(response, 'BAD_USER_INPUT', { serviceName: 'portal' });
    expect(response.data ?? null).toBeNull();
    expect(error.extensions).toMatchObject({
      requirements: [{ code: 'dni-renewable', detail: expect.stringMatching(/vigente hasta el \d{4}-\d{2}-\d{2}.*renovarlo desde/) }],
    });
    expect(await rowsFor(ANA, idempotencyKey)).toEqual({ ids: [], events: 0 });
  });

  it("Luis starts revalidation: ACTION_REQUIRED, and unmetRequirements is SAT's no-unpaid-fines, with his fines", async () => {
    const response = await start(LUIS, { procedureSlug: 'revalidar-licencia-de-conducir', channel: 'ONLINE', idempotencyKey: newKey() });
    expectNoErrors(response);
    const { application, unmetRequirements } = response.data.startApplication;
    expect(application.status).toBe('ACTION_REQUIRED');
    expect(unmetRequirements).toEqual([
      {
        code: 'no-unpaid-fines',
        description: expect.any(String),
        detail: expect.stringContaining('SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000457 G10 S/ 428.00'),
      },
    ]);
  });

  it('the same idempotencyKey twice returns the same application, and the portal holds one row', async () => {
    const input = { procedureSlug: 'revalidar-licencia-de-conducir', channel: 'ONLINE', idempotencyKey: newKey() };
    await makeRoom(platform.subgraphs.portal.db, ANA, input.procedureSlug);
    const first = await start(ANA, input);
    const second = await start(ANA, input);
    expectNoErrors(first);
    expectNoErrors(second);
    expect(second.data.startApplication.application).toEqual(first.data.startApplication.application);
    expect(await rowsFor(ANA, input.idempotencyKey)).toEqual({ ids: [first.data.startApplication.application.id], events: 1 });
  });

  it('five concurrent requests with one key: one application, one row, one SUBMITTED event', async () => {
    const input = { procedureSlug: 'duplicado-de-dni', channel: 'ONLINE', idempotencyKey: newKey() };
    const token = await as(JORGE);
    const responses = await Promise.all(Array.from({ length: 5 }, () => send('StartApplication', { input }, token)));
    for (const response of responses) expectNoErrors(response);
    const ids = new Set(responses.map((response) => response.data.startApplication.application.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await rowsFor(JORGE, input.idempotencyKey)).toEqual({ ids: [id], events: 1 });
  });

  it('the new application shows first in WhereIsMyApplication, SUBMITTED with its one event', async () => {
    const started = await start(ROSA, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: newKey() });
    expectNoErrors(started);
    const { id } = started.data.startApplication.application;
    // Rosa's DNI expired: renewal is exactly what she needs, so nothing is unmet.
    expect(started.data.startApplication.unmetRequirements).toEqual([]);

    const response = await send('WhereIsMyApplication', {}, await as(ROSA));
    expectNoErrors(response);
    const [newest, ...rest] = response.data.me.applications;
    expect(rest).toEqual([]);
    expect(newest).toMatchObject({
      id,
      status: 'SUBMITTED',
      procedure: { slug: 'renovar-dni', agency: { code: 'RENIEC' } },
      office: null,
      submittedAt: started.data.startApplication.application.submittedAt,
    });
    expect(newest.timeline).toEqual([{ at: newest.submittedAt, status: 'SUBMITTED', note: expect.stringContaining('en línea') }]);
  });

  it('nobody signed in: UNAUTHENTICATED, and nothing is written', async () => {
    const idempotencyKey = newKey();
    const response = await start(null, { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey });
    expectOneError(response, 'UNAUTHENTICATED');
    expect(response.data ?? null).toBeNull();
    const { rows } = await platform.subgraphs.portal.db.query('SELECT 1 FROM applications WHERE idempotency_key = $1', [idempotencyKey]);
    expect(rows).toEqual([]);
  });
});
