import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';
import { agencyToken, citizenToken, graphql, type GraphQLResponse } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { expectNoErrors, expectOneError } from './support.js';

/**
 * Who may read what, through the gateway: a citizen reads their own records and nobody else's; an
 * agency reads what its scopes allow, each agency's subgraph enforcing its own scope on its own fields
 * (also when the planner reaches them through `_entities`); without a token, nothing personal.
 *
 * Through the gateway a citizen (or an agency) reaches someone else's Citizen only through
 * `citizen(dni)`, `citizens(dnis)` (identity) or `Taxpayer.citizen` (taxes); Applications through
 * `application(id)`. Every one of those doors is tried here.
 */
let platform: Platform;
let carmensApplication: string;
let tokens: {
  luis: string;
  jorge: string;
  carmen: string;
  identityOnly: string;
  transportOnly: string;
  taxesAndTransport: string;
  portalOnly: string;
};

beforeAll(async () => {
  platform = await startPlatform({ citizens: 10 });
  // Her licence revalidation: the one whose next step ("Pick up your licence at ...") must not leak.
  const { rows } = await platform.subgraphs.portal.db.query<{ id: string }>(
    `SELECT id FROM applications WHERE dni = $1 AND procedure_slug = 'revalidar-licencia-de-conducir'`,
    [CARMEN],
  );
  carmensApplication = rows[0]!.id;
  tokens = {
    luis: await citizenToken(LUIS),
    jorge: await citizenToken(JORGE),
    carmen: await citizenToken(CARMEN),
    identityOnly: await agencyToken(['identity:read']),
    transportOnly: await agencyToken(['transport:read']),
    taxesAndTransport: await agencyToken(['taxes:read', 'transport:read']),
    portalOnly: await agencyToken(['portal:read']),
  };
});
afterAll(async () => {
  await platform?.close();
});

const ask = (query: string, token?: string, variables?: Record<string, unknown>) => graphql(platform.url, query, variables, token);

/** The personal data of Ana that must never leak into someone else's answer, not even in a message. */
function expectNothingOfAna(response: GraphQLResponse): void {
  const text = JSON.stringify(response);
  for (const secret of ['Quispe', 'Q41234567', 'BKR-512', '10412345679']) expect(text).not.toContain(secret);
}

describe("a citizen's token on another citizen's records: FORBIDDEN", () => {
  it.each([
    ['identity: citizen(dni) names', `{ citizen(dni: "${ANA}") { dni fullName birthDate } }`, ['citizen'], 'identity'],
    ['identity: citizen(dni) document and civil records', `{ citizen(dni: "${ANA}") { identityDocument { number } civilRecords { kind } } }`, ['citizen'], 'identity'],
    ["transport and taxes, behind identity's door", `{ citizen(dni: "${ANA}") { drivingLicence { number } vehicles { plate } taxpayer { ruc } applications { id } } }`, ['citizen'], 'identity'],
    ['identity: citizens(dnis) is for agencies', `{ citizens(dnis: ["${ANA}"]) { dni fullName } }`, ['citizens'], 'identity'],
    ["taxes: taxpayer(ruc) of Ana's RUC", `{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc status debts { period } } }`, ['taxpayer'], 'taxes'],
    ['taxes: through Taxpayer.citizen too', `{ taxpayer(ruc: "${rucForDni(ANA)}") { citizen { drivingLicence { number } } } }`, ['taxpayer'], 'taxes'],
    ["portal: application(id) of Carmen's", null, ['application'], 'portal'],
  ] as const)('%s', async (_label, query, path, serviceName) => {
    const response = await ask(query ?? `{ application(id: "${carmensApplication}") { id status nextStep timeline { note } } }`, tokens.luis);
    expect(response.status).toBe(200);
    expectOneError(response, 'FORBIDDEN', { path: [...path], serviceName });
    expect(response.data?.[path[0]] ?? null).toBeNull();
    expectNothingOfAna(response);
    expect(JSON.stringify(response)).not.toContain('Pick up your licence');
  });

  it('asking for a DNI nobody has is FORBIDDEN too, not NOT_FOUND: nobody can probe who exists', async () => {
    expectOneError(await ask('{ citizen(dni: "99999999") { dni } }', tokens.luis), 'FORBIDDEN', { serviceName: 'identity' });
  });

  it("someone else's RUC is FORBIDDEN whether registered or not, and a company's RUC is for agencies", async () => {
    // Rosa has no RUC: answering NOT_FOUND would tell Luis so.
    expectOneError(await ask(`{ taxpayer(ruc: "${rucForDni(ROSA)}") { ruc } }`, tokens.luis), 'FORBIDDEN', { serviceName: 'taxes' });
    // SUNAT's own RUC: a legal entity.
    expectOneError(await ask('{ taxpayer(ruc: "20131312955") { ruc } }', tokens.luis), 'FORBIDDEN', { serviceName: 'taxes' });
  });

  it('in one request, his own record is answered and only the other citizen is refused', async () => {
    const response = await ask(`{ me { dni fullName taxpayer { ruc } } other: citizen(dni: "${ANA}") { fullName } }`, tokens.luis);
    expectOneError(response, 'FORBIDDEN', { path: ['other'], serviceName: 'identity' });
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
    // His own unregistered RUC: he may ask, and there is none.
    expectOneError(await ask(`{ taxpayer(ruc: "${rucForDni(LUIS)}") { ruc } }`, tokens.luis), 'NOT_FOUND', { serviceName: 'taxes' });

    const jorge = await ask(`{ taxpayer(ruc: "${rucForDni(JORGE)}") { ruc citizen { fullName vehicles { plate } } } }`, tokens.jorge);
    expectNoErrors(jorge);
    expect(jorge.data.taxpayer).toEqual({ ruc: '10432187654', citizen: { fullName: 'Jorge Luis Ramírez Salazar', vehicles: [{ plate: 'ARX-731' }] } });

    const carmen = await ask(`{ application(id: "${carmensApplication}") { id procedure { slug } } }`, tokens.carmen);
    expectNoErrors(carmen);
    expect(carmen.data.application.id).toBe(carmensApplication);
  });

  it("cannot tell another citizen's case number from one that does not exist", async () => {
    const unknown = await ask('{ application(id: "CUT-2020-999999") { id } }', tokens.luis);
    expectOneError(unknown, 'FORBIDDEN', { path: ['application'], serviceName: 'portal' });
    const carmens = await ask(`{ application(id: "${carmensApplication}") { id } }`, tokens.luis);
    expectOneError(carmens, 'FORBIDDEN', { path: ['application'], serviceName: 'portal' });
  });
});

describe('an agency token with identity:read only, through citizens(dnis)', () => {
  const citizens = (fields: string) => ask(`{ citizens(dnis: ["${ANA}", "${LUIS}"]) { dni fullName ${fields} } }`, tokens.identityOnly);

  it("reads RENIEC's records of anyone", async () => {
    const response = await citizens('identityDocument { number status } civilRecords { kind }');
    expectNoErrors(response);
    expect(response.data.citizens).toEqual([
      { dni: ANA, fullName: 'Ana María Quispe Mamani', identityDocument: { number: ANA, status: 'VALID' }, civilRecords: expect.arrayContaining([{ kind: 'BIRTH' }]) },
      { dni: LUIS, fullName: 'Luis Alberto Huamán Torres', identityDocument: { number: LUIS, status: 'VALID' }, civilRecords: expect.arrayContaining([{ kind: 'MARRIAGE' }]) },
    ]);
  });

  it.each([
    ['drivingLicence { number }', 'drivingLicence', 'transport'],
    ['medicalExam { result }', 'medicalExam', 'transport'],
    ['taxpayer { ruc }', 'taxpayer', 'taxes'],
  ])("gets FORBIDDEN on %s (another agency's), and keeps the names", async (fields, field, serviceName) => {
    const response = await citizens(fields);
    expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName, error.path])).toEqual(
      expect.arrayContaining([
        ['FORBIDDEN', serviceName, ['citizens', 0, field]],
        ['FORBIDDEN', serviceName, ['citizens', 1, field]],
      ]),
    );
    expect(response.errors).toHaveLength(2);
    expect(response.data.citizens).toEqual([
      { dni: ANA, fullName: 'Ana María Quispe Mamani', [field]: null },
      { dni: LUIS, fullName: 'Luis Alberto Huamán Torres', [field]: null },
    ]);
  });

  it.each([
    ['trafficFines { number }', 'trafficFines', 'transport'],
    ['vehicles { plate }', 'vehicles', 'transport'],
    ['applications { id }', 'applications', 'portal'],
  ])('gets FORBIDDEN on %s (a non-null list: the citizen is nulled, as GraphQL requires)', async (fields, field, serviceName) => {
    const response = await citizens(fields);
    expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName, error.path])).toEqual(
      expect.arrayContaining([['FORBIDDEN', serviceName, ['citizens', 0, field]]]),
    );
    expect(new Set(response.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
    expect(response.data.citizens).toEqual([null, null]);
  });

  it('is nobody: me is null', async () => {
    const response = await ask('{ me { dni } }', tokens.identityOnly);
    expectNoErrors(response);
    expect(response.data.me).toBeNull();
  });
});

describe('an agency token with transport:read', () => {
  /** Identity's citizen(dni) is the door for every agency; Taxpayer.citizen (taxes) is another. */
  const viaIdentity = (fields: string, token = tokens.transportOnly) => ask(`{ citizen(dni: "${ANA}") { dni ${fields} } }`, token);
  const viaTaxpayer = (fields: string) => ask(`{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc citizen { dni ${fields} } } }`, tokens.taxesAndTransport);
  const anasTransportRecords = {
    drivingLicence: { number: 'Q41234567', class: 'A_I' },
    vehicles: [{ plate: 'BKR-512', make: 'Toyota' }],
    trafficFines: [],
    medicalExam: { result: 'APPROVED' },
  };
  const TRANSPORT_FIELDS = 'drivingLicence { number class } vehicles { plate make } trafficFines { number } medicalExam { result }';

  it("reads transport's records of any citizen, through identity's door with transport:read alone", async () => {
    const response = await viaIdentity(TRANSPORT_FIELDS);
    expectNoErrors(response);
    expect(response.data.citizen).toEqual({ dni: ANA, ...anasTransportRecords });
  });

  it('reads them through the taxpayer too', async () => {
    const response = await viaTaxpayer(TRANSPORT_FIELDS);
    expectNoErrors(response);
    expect(response.data.taxpayer).toEqual({ ruc: '10412345679', citizen: { dni: ANA, ...anasTransportRecords } });
  });

  it.each([
    ['fullName', 'fullName', 'identity'],
    ['identityDocument { number }', 'identityDocument', 'identity'],
    ['birthDate', 'birthDate', 'identity'],
    ['applications { id }', 'applications', 'portal'],
    ['taxpayer { ruc }', 'taxpayer', 'taxes'],
  ])("gets FORBIDDEN on %s (another agency's)", async (fields, field, serviceName) => {
    const response = await viaIdentity(fields);
    expectOneError(response, 'FORBIDDEN', { path: ['citizen', field], serviceName });
    expect(JSON.stringify(response)).not.toContain('Quispe');
  });

  it("is not told whether RENIEC knows a DNI (identity's records are not its to see)", async () => {
    const response = await ask('{ citizen(dni: "59999999") { dni drivingLicence { number } } }', tokens.transportOnly);
    expectNoErrors(response);
    expect(response.data.citizen).toEqual({ dni: '59999999', drivingLicence: null });
  });

  it("with transport:read alone, taxes' door is shut", async () => {
    expectOneError(await ask(`{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc } }`, tokens.transportOnly), 'FORBIDDEN', { serviceName: 'taxes' });
  });
});

describe('an agency token with portal:read only', () => {
  it("reads anyone's application by case number", async () => {
    const response = await ask(`{ application(id: "${carmensApplication}") { id status procedure { slug } } }`, tokens.portalOnly);
    expectNoErrors(response);
    expect(response.data.application).toMatchObject({ id: carmensApplication, status: expect.any(String) });
  });

  it("looks citizens up by DNI and reads their applications, not RENIEC's names", async () => {
    const applications = await ask(`{ citizens(dnis: ["${CARMEN}"]) { dni applications { id } } }`, tokens.portalOnly);
    expectNoErrors(applications);
    expect(applications.data.citizens[0].applications.map((application: { id: string }) => application.id)).toContain(carmensApplication);
    expectOneError(await ask(`{ citizens(dnis: ["${CARMEN}"]) { dni fullName } }`, tokens.portalOnly), 'FORBIDDEN', { serviceName: 'identity' });
  });
});

describe('no token', () => {
  it('public data answers; me is null', async () => {
    const response = await ask('{ me { dni } vehicle(plate: "bkr512") { plate make model } procedure(slug: "renovar-dni") { fee { amount } } }');
    expectNoErrors(response);
    expect(response.data).toEqual({ me: null, vehicle: { plate: 'BKR-512', make: 'Toyota', model: 'Yaris' }, procedure: { fee: { amount: '30.00' } } });
  });

  it.each([
    ['citizen(dni)', `{ citizen(dni: "${ANA}") { dni fullName } }`, 'citizen', 'identity'],
    ['citizens(dnis)', `{ citizens(dnis: ["${ANA}"]) { dni fullName } }`, 'citizens', 'identity'],
    ['taxpayer(ruc)', `{ taxpayer(ruc: "${rucForDni(ANA)}") { ruc } }`, 'taxpayer', 'taxes'],
    ['application(id)', null, 'application', 'portal'],
  ])('%s needs a sign-in: UNAUTHENTICATED', async (_label, query, field, serviceName) => {
    const response = await ask(query ?? `{ application(id: "${carmensApplication}") { id } }`);
    expectOneError(response, 'UNAUTHENTICATED', { path: [field], serviceName });
    // A field error with a usable response: 200 (the token was not bad, only missing).
    expect(response.status).toBe(200);
    expectNothingOfAna(response);
  });
});
