import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';
import { agencyToken, citizenToken, graphql, officialToken, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { expectNoErrors, expectOneError } from './support.js';

/**
 * Who may read what, through the gateway, door by door: a citizen reads their own records and nobody
 * else's; an official reads their own agency's facts, stating why; an agency service what its scope
 * allows, stating why; without a token, nothing personal. What the gateway can decide from the caller
 * alone it refuses before any subgraph is asked (no `serviceName`); whose record it is, the owning
 * subgraph decides (its `serviceName`). The battery generated from the schema is crossCaller.test.ts;
 * these are the scenarios a reader should see spelled out.
 */
let platform: Platform;
let carmensRevalidation: string;
let carmensDuplicate: string;
let tokens: {
  luis: string;
  jorge: string;
  carmen: string;
  identityOnly: Credentials;
  transportOnly: Credentials;
  taxesAndTransport: Credentials;
  portalOnly: Credentials;
  pedro: Credentials;
  oscar: Credentials;
};

beforeAll(async () => {
  platform = await startPlatform({ citizens: 10 });
  const applicationOf = async (slug: string) =>
    (await platform.subgraphs.portal.db.query<{ id: string }>('SELECT id FROM applications WHERE dni = $1 AND procedure_slug = $2', [CARMEN, slug])).rows[0]!.id;
  // Her licence revalidation (MTC's): the one whose next step ("Recoge tu licencia de conducir en ...") must not leak.
  carmensRevalidation = await applicationOf('revalidar-licencia-de-conducir');
  carmensDuplicate = await applicationOf('duplicado-de-dni');
  tokens = {
    luis: await citizenToken(LUIS),
    jorge: await citizenToken(JORGE),
    carmen: await citizenToken(CARMEN),
    identityOnly: await agencyToken(['identity:read']),
    transportOnly: await agencyToken(['transport:read']),
    taxesAndTransport: await agencyToken(['taxes:read', 'transport:read']),
    portalOnly: await agencyToken(['portal:read']),
    pedro: await officialToken('MTC-0001', 'review of a revalidation'),
    oscar: await officialToken('RENIEC-0001', 'identity check'),
  };
});
afterAll(async () => {
  await platform?.close();
});

const ask = (query: string, token?: string | Credentials, variables?: Record<string, unknown>) => graphql(platform.url, query, variables, token);

/** The personal data of Ana that must never leak into someone else's answer, not even in a message. */
function expectNothingOfAna(response: GraphQLResponse): void {
  const text = JSON.stringify(response);
  for (const secret of ['Quispe', 'Q41234567', 'BKR-512', '10412345679']) expect(text).not.toContain(secret);
}

/** The errors as [code, serviceName, path]: who refused what, where. */
const refusals = (response: GraphQLResponse) => (response.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.serviceName, error.path]);

describe("a citizen's token on another citizen's records: FORBIDDEN by the agency that holds them", () => {
  it.each([
    ['identity: names', `{ citizen(dni: "${ANA}") { dni fullName birthDate } }`, ['citizen', 'fullName'], 'identity'],
    ['identity: document', `{ citizen(dni: "${ANA}") { identityDocument { number } } }`, ['citizen', 'identityDocument'], 'identity'],
    ['transport, behind identity\'s door', `{ citizen(dni: "${ANA}") { drivingLicence { number } } }`, ['citizen', 'drivingLicence'], 'transport'],
    ['taxes, behind identity\'s door', `{ citizen(dni: "${ANA}") { taxpayer { ruc } } }`, ['citizen', 'taxpayer'], 'taxes'],
    ["taxes: taxpayer(ruc) of Ana's RUC", `{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc status debts { period } } }`, ['taxpayer'], 'taxes'],
    ["portal: application(id) of Carmen's", null, ['application'], 'portal'],
  ] as const)('%s', async (_label, query, path, serviceName) => {
    const response = await ask(query ?? `{ application(id: "${carmensRevalidation}") { id status nextStep timeline { note } } }`, tokens.luis);
    expect(response.status).toBe(200);
    expectOneError(response, 'FORBIDDEN', { path: [...path], serviceName });
    // Null where it was refused (or its parent, for a non-null field).
    expect(path.reduce<any>((value, key) => value?.[key] ?? null, response.data)).toBeNull();
    expectNothingOfAna(response);
    expect(JSON.stringify(response)).not.toContain('Recoge tu licencia');
  });

  it('citizens(dnis) is for agency services: the gateway refuses it before asking RENIEC', async () => {
    expect(refusals(await ask(`{ citizens(dnis: ["${ANA}"]) { dni fullName } }`, tokens.luis))).toEqual([['FORBIDDEN', undefined, ['citizens']]]);
  });

  it('a DNI nobody has is FORBIDDEN too, with the same words: nobody can probe who exists', async () => {
    const nobody = await ask('{ citizen(dni: "99999999") { fullName } }', tokens.luis);
    const ana = await ask(`{ citizen(dni: "${ANA}") { fullName } }`, tokens.luis);
    expect(nobody.errors).toEqual(ana.errors);
    expectOneError(nobody, 'FORBIDDEN', { serviceName: 'identity' });
  });

  it("someone else's RUC, registered or not, and a company's: the same FORBIDDEN, word for word", async () => {
    const registered = await ask(`{ taxpayer(ruc: "${rucForDni(JORGE)}") { ruc } }`, tokens.luis);
    // Rosa has no RUC: answering NOT_FOUND would tell Luis so.
    const unregistered = await ask(`{ taxpayer(ruc: "${rucForDni(ROSA)}") { ruc } }`, tokens.luis);
    // SUNAT's own RUC: a legal entity, for SUNAT and `taxes:read` services only.
    const company = await ask('{ taxpayer(ruc: "20131312955") { ruc } }', tokens.luis);
    expectOneError(registered, 'FORBIDDEN', { path: ['taxpayer'], serviceName: 'taxes' });
    expect(unregistered.errors).toEqual(registered.errors);
    expect(company.errors).toEqual(registered.errors);
  });

  it('in one request, his own record is answered and only the other citizen is refused', async () => {
    const response = await ask(`{ me { dni fullName taxpayer { ruc } } other: citizen(dni: "${ANA}") { fullName } }`, tokens.luis);
    expectOneError(response, 'FORBIDDEN', { path: ['other', 'fullName'], serviceName: 'identity' });
    expect(response.data).toEqual({ me: { dni: LUIS, fullName: 'Luis Alberto Huamán Torres', taxpayer: null }, other: null });
    expectNothingOfAna(response);
  });

  it('the same doors open on his own records', async () => {
    const own = await ask(`{ citizen(dni: "${LUIS}") { fullName drivingLicence { status } trafficFines(status: UNPAID) { number } } }`, tokens.luis);
    expectNoErrors(own);
    expect(own.data.citizen).toEqual({
      fullName: 'Luis Alberto Huamán Torres',
      drivingLicence: { status: 'EXPIRED' },
      trafficFines: expect.arrayContaining([{ number: 'SAT-2025-0000123' }, { number: 'SAT-2025-0000457' }]),
    });

    const jorge = await ask(`{ taxpayer(ruc: "${rucForDni(JORGE)}") { ruc citizen { fullName vehicles { plate } } } }`, tokens.jorge);
    expectNoErrors(jorge);
    expect(jorge.data.taxpayer).toEqual({ ruc: '10432187654', citizen: { fullName: 'Jorge Luis Ramírez Salazar', vehicles: [{ plate: 'ARX-731' }] } });

    const carmen = await ask(`{ application(id: "${carmensRevalidation}") { id procedure { slug } } }`, tokens.carmen);
    expectNoErrors(carmen);
    expect(carmen.data.application.id).toBe(carmensRevalidation);
  });

  it("cannot tell another citizen's case number from one that does not exist: the same answer, word for word", async () => {
    const unknown = await ask('{ application(id: "CUT-2020-999999") { id } }', tokens.luis);
    const carmens = await ask(`{ application(id: "${carmensRevalidation}") { id } }`, tokens.luis);
    expectOneError(unknown, 'FORBIDDEN', { path: ['application'], serviceName: 'portal' });
    expect(carmens).toEqual(unknown);
  });
});

describe('an agency service with identity:read only, through citizens(dnis)', () => {
  const citizens = (fields: string, token = tokens.identityOnly) => ask(`{ citizens(dnis: ["${ANA}", "${LUIS}"]) { dni fullName ${fields} } }`, token);

  it("reads RENIEC's records of anyone, stating why", async () => {
    const response = await citizens('identityDocument { number status } civilRecords { kind }');
    expectNoErrors(response);
    expect(response.data.citizens).toEqual([
      { dni: ANA, fullName: 'Ana María Quispe Mamani', identityDocument: { number: ANA, status: 'VALID' }, civilRecords: expect.arrayContaining([{ kind: 'BIRTH' }]) },
      { dni: LUIS, fullName: 'Luis Alberto Huamán Torres', identityDocument: { number: LUIS, status: 'VALID' }, civilRecords: expect.arrayContaining([{ kind: 'MARRIAGE' }]) },
    ]);
  });

  it('reads nothing without a stated purpose, and is told to state one', async () => {
    const response = await citizens('', { token: tokens.identityOnly.token });
    expect(refusals(response)).toEqual([
      ['FORBIDDEN', undefined, ['citizens', 0, 'fullName']],
      ['FORBIDDEN', undefined, ['citizens', 1, 'fullName']],
    ]);
    expect(response.errors?.[0]?.message).toContain('x-purpose');
    expectNothingOfAna(response);
  });

  it.each([
    ['drivingLicence { number }', 'drivingLicence'],
    ['medicalExam { result }', 'medicalExam'],
    ['taxpayer { ruc }', 'taxpayer'],
    // Lists too: every field one agency adds to another's Citizen is nullable (schema/README.md).
    ['trafficFines { number }', 'trafficFines'],
    ['vehicles { plate }', 'vehicles'],
    ['applications { id }', 'applications'],
  ])("gets FORBIDDEN on %s (another agency's) from the gateway, no agency asked, and keeps the names", async (fields, field) => {
    const response = await citizens(fields);
    expect(refusals(response)).toEqual([
      ['FORBIDDEN', undefined, ['citizens', 0, field]],
      ['FORBIDDEN', undefined, ['citizens', 1, field]],
    ]);
    expect(response.data.citizens).toEqual([
      { dni: ANA, fullName: 'Ana María Quispe Mamani', [field]: null },
      { dni: LUIS, fullName: 'Luis Alberto Huamán Torres', [field]: null },
    ]);
  });

  it('is nobody: me is null', async () => {
    const response = await ask('{ me { dni } }', tokens.identityOnly);
    expectNoErrors(response);
    expect(response.data.me).toBeNull();
  });
});

describe('an agency service with transport:read', () => {
  /** Identity's citizen(dni) is the door for every caller; Taxpayer.citizen (taxes) is another. */
  const viaIdentity = (fields: string, token: Credentials = tokens.transportOnly) => ask(`{ citizen(dni: "${ANA}") { dni ${fields} } }`, token);
  const anasTransportRecords = {
    drivingLicence: { number: 'Q41234567', class: 'A_I' },
    vehicles: [{ plate: 'BKR-512', make: 'Toyota' }],
    trafficFines: [],
    medicalExam: { result: 'APPROVED' },
  };
  const TRANSPORT_FIELDS = 'drivingLicence { number class } vehicles { plate make } trafficFines { number } medicalExam { result }';

  it("reads transport's records of any citizen, through identity's door", async () => {
    const response = await viaIdentity(TRANSPORT_FIELDS);
    expectNoErrors(response);
    expect(response.data.citizen).toEqual({ dni: ANA, ...anasTransportRecords });
  });

  it('reads them through the taxpayer too, when it may also read the taxpayer', async () => {
    const response = await ask(`{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc citizen { dni ${TRANSPORT_FIELDS} } } }`, tokens.taxesAndTransport);
    expectNoErrors(response);
    expect(response.data.taxpayer).toEqual({ ruc: '10412345679', citizen: { dni: ANA, ...anasTransportRecords } });
  });

  it.each([
    ['fullName', 'fullName'],
    ['identityDocument { number }', 'identityDocument'],
    ['birthDate', 'birthDate'],
    ['taxpayer { ruc }', 'taxpayer'],
  ])("gets FORBIDDEN on %s (another agency's)", async (fields, field) => {
    const response = await viaIdentity(fields);
    expect(refusals(response)).toEqual([['FORBIDDEN', undefined, ['citizen', field]]]);
    expect(JSON.stringify(response)).not.toContain('Quispe');
  });

  it("is not told whether RENIEC knows a DNI (identity's records are not its to see)", async () => {
    const response = await ask('{ citizen(dni: "59999999") { dni drivingLicence { number } } }', tokens.transportOnly);
    expectNoErrors(response);
    expect(response.data.citizen).toEqual({ dni: '59999999', drivingLicence: null });
  });

  it("with transport:read alone, taxes' door is shut", async () => {
    expect(refusals(await ask(`{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc } }`, tokens.transportOnly))).toEqual([['FORBIDDEN', undefined, ['taxpayer']]]);
  });
});

describe('an agency service with portal:read only', () => {
  it("reads anyone's application by case number, and is told when one does not exist", async () => {
    const response = await ask(`{ application(id: "${carmensRevalidation}") { id status procedure { slug } } }`, tokens.portalOnly);
    expectNoErrors(response);
    expect(response.data.application).toMatchObject({ id: carmensRevalidation, status: expect.any(String) });
    expectOneError(await ask('{ application(id: "CUT-2020-999999") { id } }', tokens.portalOnly), 'NOT_FOUND', { serviceName: 'portal' });
  });

  it("looks citizens up by DNI and reads their applications, not RENIEC's names", async () => {
    const applications = await ask(`{ citizens(dnis: ["${CARMEN}"]) { dni applications { id } } }`, tokens.portalOnly);
    expectNoErrors(applications);
    expect(applications.data.citizens[0].applications.map((application: { id: string }) => application.id)).toContain(carmensRevalidation);
    expect(refusals(await ask(`{ citizens(dnis: ["${CARMEN}"]) { dni fullName } }`, tokens.portalOnly))).toEqual([['FORBIDDEN', undefined, ['citizens', 0, 'fullName']]]);
  });
});

describe("officials read their own agency's facts, stating why", () => {
  it("an MTC official reads a citizen's licence and medical exam, not SAT's fines nor RENIEC's names", async () => {
    const mtc = await ask(`{ citizen(dni: "${LUIS}") { drivingLicence { status } medicalExam { result } } }`, tokens.pedro);
    expectNoErrors(mtc);
    expect(mtc.data.citizen).toEqual({ drivingLicence: { status: 'EXPIRED' }, medicalExam: { result: 'APPROVED' } });
    const others = await ask(`{ citizen(dni: "${LUIS}") { fullName drivingLicence { status } } }`, tokens.pedro);
    expect(refusals(others)).toEqual([['FORBIDDEN', undefined, ['citizen', 'fullName']]]);
    const fines = await ask(`{ citizen(dni: "${LUIS}") { trafficFines { number } } }`, tokens.pedro);
    expect(refusals(fines)).toEqual([['FORBIDDEN', undefined, ['citizen', 'trafficFines']]]);
  });

  it('an official with no stated purpose reads nothing, and is told to state one', async () => {
    const response = await ask(`{ citizen(dni: "${LUIS}") { drivingLicence { status } } }`, { token: tokens.pedro.token });
    expect(refusals(response)).toEqual([['FORBIDDEN', undefined, ['citizen', 'drivingLicence']]]);
    expect(response.errors?.[0]?.message).toContain('x-purpose');
  });

  it("an official sees their agency's applications and nobody else's, without telling them from missing ones", async () => {
    const own = await ask(`{ application(id: "${carmensRevalidation}") { id status } }`, tokens.pedro);
    expectNoErrors(own);
    expect(own.data.application.id).toBe(carmensRevalidation);
    // Carmen's DNI duplicate is RENIEC's: an MTC official gets exactly what a case number nobody has gets.
    const renieCs = await ask(`{ application(id: "${carmensDuplicate}") { id } }`, tokens.pedro);
    const missing = await ask('{ application(id: "CUT-2020-999999") { id } }', tokens.pedro);
    expectOneError(renieCs, 'FORBIDDEN', { path: ['application'], serviceName: 'portal' });
    expect(renieCs).toEqual(missing);
    expectNoErrors(await ask(`{ application(id: "${carmensDuplicate}") { id } }`, tokens.oscar));
  });
});

describe('no token', () => {
  it('public data answers; me is null', async () => {
    const response = await ask('{ me { dni } vehicle(plate: "bkr512") { plate make model } procedure(slug: "renovar-dni") { fee { amount } } }');
    expectNoErrors(response);
    expect(response.data).toEqual({ me: null, vehicle: { plate: 'BKR-512', make: 'Toyota', model: 'Yaris' }, procedure: { fee: { amount: '30.00' } } });
  });

  it.each([
    ['citizen(dni)', `{ citizen(dni: "${ANA}") { dni fullName } }`, 'citizen'],
    ['citizens(dnis)', `{ citizens(dnis: ["${ANA}"]) { dni fullName } }`, 'citizens'],
    ['taxpayer(ruc)', `{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc } }`, 'taxpayer'],
    ['application(id)', null, 'application'],
  ])('%s needs a sign-in: UNAUTHENTICATED from the gateway, no agency asked', async (_label, query, field) => {
    const response = await ask(query ?? `{ application(id: "${carmensRevalidation}") { id } }`);
    expect(refusals(response)).toEqual([['UNAUTHENTICATED', undefined, [field]]]);
    // A field error with a usable response: 200 (the token was not bad, only missing).
    expect(response.status).toBe(200);
    expectNothingOfAna(response);
  });
});
