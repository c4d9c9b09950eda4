import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { agencyToken, citizenToken, errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, LUIS } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { resolveEntities, startSubgraph, type RunningSubgraph } from '../helpers/subgraph.js';

const REVALIDATION = 'revalidar-licencia-de-conducir';

let portal: RunningSubgraph;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  portal = await startSubgraph(portalService, { citizens: 120 });
  for (const dni of [ANA, LUIS, CARMEN]) tokens[dni] = await citizenToken(dni);
  tokens.portal = await agencyToken(['portal:read']);
  tokens.transport = await agencyToken(['transport:read']);
});

afterAll(async () => {
  await portal?.close();
});

const ask = (query: string, variables?: Record<string, unknown>, token?: string) => graphql(portal.url, query, variables, token);

const ENTITIES = (selection: string) => `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ${selection} }
}`;

describe('portal subgraph contract', () => {
  it('publishes its SDL through _service', async () => {
    expect(await expectPublishedSdl(portal.url, portalService.typeDefs)).toContain('@contact(name: "PCM"');
  });

  it('resolves Agency and Procedure by key; unknown keys are null, keys that are not strings BAD_USER_INPUT', async () => {
    const response = await ask(
      ENTITIES('... on Agency { code name ruc } ... on Procedure { slug title agency { code } }'),
      {
        representations: [
          { __typename: 'Agency', code: 'SAT' },
          { __typename: 'Procedure', slug: 'pagar-papeletas' },
          { __typename: 'Agency', code: 'JNE' },
          { __typename: 'Procedure', slug: 'no-such-procedure' },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { code: 'SAT', name: 'Servicio de Administración Tributaria de Lima', ruc: '20337101276' },
      { slug: 'pagar-papeletas', title: 'Consultar y pagar papeletas', agency: { code: 'SAT' } },
      null,
      null,
    ]);
    const malformed = await ask(ENTITIES('... on Procedure { slug }'), { representations: [{ __typename: 'Procedure', slug: null }] });
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
  });

  it('fails only the bad representations of a batch, for every entity type', async () => {
    const response = await ask(
      ENTITIES('... on Agency { code } ... on Procedure { slug } ... on Citizen { dni } ... on Application { id } ... on StartApplicationPayload { applicationId }'),
      {
        representations: [
          { __typename: 'Agency', code: 20337101276 },
          { __typename: 'Agency', code: 'SAT' },
          { __typename: 'Procedure', slug: null },
          { __typename: 'Procedure', slug: 'pagar-papeletas' },
          { __typename: 'Citizen', dni: '4785123' },
          { __typename: 'Citizen', dni: CARMEN },
          { __typename: 'Application', id: 'CUT-1' },
          { __typename: 'StartApplicationPayload', applicationId: 'CUT-1' },
        ],
      },
      tokens.portal,
    );
    expect(response.data._entities).toEqual([null, { code: 'SAT' }, null, { slug: 'pagar-papeletas' }, null, { dni: CARMEN }, null, null]);
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual(
      [0, 2, 4, 6, 7].map((index) => ['BAD_USER_INPUT', ['_entities', index]]),
    );
  });
});

describe('catalogue', () => {
  const SEARCH = `query($search: String, $agency: String, $first: Int, $after: String) {
    procedures(search: $search, agency: $agency, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug } }
    }
  }`;
  const search = async (variables: Record<string, unknown>) => {
    const response = await ask(SEARCH, variables);
    expect(response.errors).toBeUndefined();
    const page = response.data.procedures;
    return { ...page, slugs: page.edges.map((edge: { node: { slug: string } }) => edge.node.slug) as string[] };
  };

  it('lists all thirteen procedures ordered by title, with what a search result shows', async () => {
    const response = await ask(`{ procedures { totalCount pageInfo { hasNextPage }
      edges { node { slug title summary agency { code name } fee { amount currency } channels { kind } } } } }`);
    expect(response.errors).toBeUndefined();
    const { totalCount, pageInfo, edges } = response.data.procedures;
    expect(totalCount).toBe(13);
    expect(pageInfo.hasNextPage).toBe(false);
    // The order is the database's collation of titles, whatever the server's locale.
    const ordered = await portal.db.query<{ slug: string }>('SELECT slug FROM procedures ORDER BY title, slug');
    expect(edges.map((edge: { node: { slug: string } }) => edge.node.slug)).toEqual(ordered.rows.map((row) => row.slug));
    expect(edges.find((edge: { node: { slug: string } }) => edge.node.slug === REVALIDATION).node).toEqual({
      slug: REVALIDATION,
      title: 'Revalidar licencia de conducir',
      summary: 'Revalidación: renew a class A-I driving licence that has expired or is about to expire.',
      agency: { code: 'MTC', name: 'Ministerio de Transportes y Comunicaciones' },
      fee: { amount: '6.80', currency: 'PEN' },
      channels: [{ kind: 'ONLINE' }, { kind: 'IN_PERSON' }],
    });
  });

  it('searches title and summary, ignoring accents and case, every word', async () => {
    expect((await search({ search: 'renovacion' })).slugs).toEqual(['renovar-dni']);
    expect((await search({ search: 'RENOVACIÓN dni' })).slugs).toEqual(['renovar-dni']);
    expect((await search({ search: 'licencia conducir' })).slugs).toEqual([REVALIDATION]);
    const duplicates = await search({ search: 'duplicado' });
    expect(duplicates.totalCount).toBe(2);
    expect(duplicates.slugs.sort()).toEqual(['duplicado-de-dni', 'duplicado-de-tive']);
    expect(await search({ search: 'licencia pasaporte' })).toMatchObject({ totalCount: 0, slugs: [] });
  });

  it('filters by agency code, in any case; an unknown agency is an empty page', async () => {
    const sunat = await search({ agency: 'sunat' });
    expect(sunat.totalCount).toBe(4);
    expect(sunat.slugs.sort()).toEqual([
      'consultar-deuda-tributaria',
      'declaracion-anual-de-renta',
      'inscribirse-en-el-ruc',
      'solicitar-devolucion-de-renta',
    ]);
    expect((await search({ agency: 'MTC', search: 'licencia' })).slugs).toEqual([REVALIDATION]);
    expect(await search({ agency: 'JNE' })).toMatchObject({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      slugs: [],
    });
  });

  it('pages with cursors: every procedure once, in order, the count on every page', async () => {
    const all = (await search({ first: 100 })).slugs;
    const seen: string[] = [];
    const hasNext: boolean[] = [];
    let after: string | null = null;
    do {
      const page = await search({ first: 5, after });
      expect(page.totalCount).toBe(13);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      seen.push(...page.slugs);
      hasNext.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(hasNext).toEqual([true, true, false]);
    expect(seen).toEqual(all);
    const filtered = await search({ agency: 'RENIEC', first: 2 });
    const rest = await search({ agency: 'RENIEC', first: 2, after: filtered.pageInfo.endCursor });
    expect([...filtered.slugs, ...rest.slugs].sort()).toEqual(['copia-certificada-de-acta-de-nacimiento', 'duplicado-de-dni', 'renovar-dni']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a bad cursor, first out of 1..100 and an overlong search with BAD_USER_INPUT', async () => {
    const versionTwo = Buffer.from(JSON.stringify({ v: 2, title: 'A', slug: 'a' })).toString('base64url');
    for (const variables of [
      { after: 'not-a-cursor' },
      { after: 'garbage!' },
      { after: versionTwo },
      { first: 0 },
      { first: 101 },
      { first: -5 },
      { search: 'x'.repeat(101) },
    ]) {
      const response = await ask(SEARCH, variables);
      expect(errorCodes(response), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
      expect(response.data).toBeNull();
    }
  });

  it('answers "what do I need" for a procedure; requirements are UNKNOWN when the agencies were not asked', async () => {
    const response = await ask(
      `query($slug: ID!) { procedure(slug: $slug) {
        slug agency { code } fee { amount currency paymentCode uitPercent asOf } processingDays approval legalBasis
        channels { kind url appointmentRequired offices { id name address } }
        requirements { code kind status detail agency { code } }
      } }`,
      { slug: REVALIDATION },
    );
    expect(response.errors).toBeUndefined();
    const procedure = response.data.procedure;
    expect(procedure).toMatchObject({
      slug: REVALIDATION,
      agency: { code: 'MTC' },
      fee: { amount: '6.80', currency: 'PEN', paymentCode: '1601', uitPercent: null, asOf: '2021-01-01' },
      processingDays: 1,
      approval: 'AUTOMATIC',
      legalBasis: ['Decreto Supremo 007-2016-MTC, Reglamento Nacional del Sistema de Emisión de Licencias de Conducir'],
    });
    expect(procedure.channels[0]).toEqual({ kind: 'ONLINE', url: 'https://licencias.mtc.gob.pe', appointmentRequired: false, offices: [] });
    expect(procedure.channels[1].offices.map((office: { id: string }) => office.id)).toEqual(['mac-callao', 'mac-lima-norte', 'mtc-lima-centro']);
    expect(procedure.channels[1].offices[1]).toEqual({
      id: 'mac-lima-norte',
      name: 'MAC Lima Norte',
      address: 'Av. Alfredo Mendiola 1400, C.C. Plaza Norte',
    });
    expect(procedure.requirements).toEqual([
      { code: 'dni-valid', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'RENIEC cannot answer right now.', agency: { code: 'RENIEC' } },
      { code: 'licence-revalidable', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'MTC cannot answer right now.', agency: { code: 'MTC' } },
      { code: 'medical-exam-approved', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'MTC cannot answer right now.', agency: { code: 'MTC' } },
      { code: 'no-unpaid-fines', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'SAT cannot answer right now.', agency: { code: 'SAT' } },
    ]);
  });

  it('says NOT_FOUND for an unknown slug', async () => {
    const response = await ask('{ procedure(slug: "sacar-brevete-sin-examen") { slug } }');
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(response.data).toEqual({ procedure: null });
  });

  it('lists every agency with procedures, and only those', async () => {
    // An agency the catalogue no longer gives any procedure (the seed keeps such rows) is not listed.
    await portal.db.query(`INSERT INTO agencies (code, name, ruc, website) VALUES ('JNE', 'Jurado Nacional de Elecciones', '20131378972', 'https://jne.gob.pe')`);
    try {
      const response = await ask('{ agencies { code } }');
      expect(response.data.agencies.map((agency: { code: string }) => agency.code)).toEqual([
        'MIGRACIONES',
        'MTC',
        'RENIEC',
        'SAT',
        'SUNARP',
        'SUNAT',
      ]);
    } finally {
      await portal.db.query(`DELETE FROM agencies WHERE code = 'JNE'`);
    }
  });
});

describe('requirements decided by the agencies, through Procedure representations', () => {
  const REQUIREMENTS = ENTITIES('... on Procedure { slug requirementCodes requirements { code kind status detail agency { code } } }');
  const LUIS_FINES = '2 unpaid fines: SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000456 G10 S/ 428.00.';
  const luisLike = {
    __typename: 'Procedure',
    slug: REVALIDATION,
    identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }],
    transportChecks: [
      { code: 'licence-revalidable', status: 'MET', detail: null },
      { code: 'medical-exam-approved', status: 'MET', detail: null },
      { code: 'no-unpaid-fines', status: 'NOT_MET', detail: LUIS_FINES },
    ],
    taxesChecks: [],
  };

  it("merges each agency's verdict by code: Luis's fines make the fines requirement NOT_MET, saying why", async () => {
    const response = await ask(REQUIREMENTS, { representations: [luisLike] }, tokens[LUIS]);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        slug: REVALIDATION,
        requirementCodes: ['dni-valid', 'licence-revalidable', 'medical-exam-approved', 'no-unpaid-fines'],
        requirements: [
          { code: 'dni-valid', kind: 'STATUS_CHECK', status: 'MET', detail: null, agency: { code: 'RENIEC' } },
          { code: 'licence-revalidable', kind: 'STATUS_CHECK', status: 'MET', detail: null, agency: { code: 'MTC' } },
          { code: 'medical-exam-approved', kind: 'STATUS_CHECK', status: 'MET', detail: null, agency: { code: 'MTC' } },
          { code: 'no-unpaid-fines', kind: 'STATUS_CHECK', status: 'NOT_MET', detail: LUIS_FINES, agency: { code: 'SAT' } },
        ],
      },
    ]);
  });

  it('makes UNKNOWN what a subgraph that failed (null list) should have answered, and only that', async () => {
    const response = await ask(REQUIREMENTS, { representations: [{ ...luisLike, transportChecks: null }] });
    expect(response.errors).toBeUndefined();
    const statuses = response.data._entities[0].requirements.map(({ code, status, detail }: Record<string, string>) => ({ code, status, detail }));
    expect(statuses).toEqual([
      { code: 'dni-valid', status: 'MET', detail: null },
      { code: 'licence-revalidable', status: 'UNKNOWN', detail: 'MTC cannot answer right now.' },
      { code: 'medical-exam-approved', status: 'UNKNOWN', detail: 'MTC cannot answer right now.' },
      { code: 'no-unpaid-fines', status: 'UNKNOWN', detail: 'SAT cannot answer right now.' },
    ]);
  });

  it('asks the agencies only about status checks, ignores verdicts on codes the procedure lacks; a document stays UNKNOWN', async () => {
    const response = await ask(REQUIREMENTS, {
      representations: [
        {
          __typename: 'Procedure',
          slug: 'duplicado-de-dni',
          identityChecks: [{ code: 'dni-valid', status: 'NOT_MET', detail: 'Your DNI was cancelled: get a duplicate first (procedure duplicado-de-dni).' }],
          transportChecks: [],
          taxesChecks: [],
        },
      ],
    });
    expect(response.data._entities[0]).toEqual({
      slug: 'duplicado-de-dni',
      requirementCodes: [],
      requirements: [
        {
          code: 'police-report',
          kind: 'DOCUMENT',
          status: 'UNKNOWN',
          detail: 'A document to bring (or attach when applying online): no agency record can show it.',
          agency: { code: 'RENIEC' },
        },
      ],
    });
  });
});

describe("Carmen's applications", () => {
  const APPLICATIONS = ENTITIES(`... on Citizen { dni applications {
    id procedure { slug agency { code } } status channel submittedAt updatedAt nextStep office { id name } timeline { at status note }
  } }`);
  const carmen = { __typename: 'Citizen', dni: CARMEN };

  it('lists her three applications at three agencies, newest first, each with its timeline oldest first', async () => {
    const response = await ask(APPLICATIONS, { representations: [carmen] }, tokens[CARMEN]);
    expect(response.errors).toBeUndefined();
    const applications = response.data._entities[0].applications;
    expect(applications.map((a: Record<string, any>) => [a.procedure.slug, a.procedure.agency.code, a.status, a.channel])).toEqual([
      ['duplicado-de-dni', 'RENIEC', 'IN_REVIEW', 'ONLINE'],
      [REVALIDATION, 'MTC', 'READY_FOR_PICKUP', 'IN_PERSON'],
      ['inscribirse-en-el-ruc', 'SUNAT', 'COMPLETED', 'ONLINE'],
    ]);
    const submitted = applications.map((a: { submittedAt: string }) => a.submittedAt);
    expect([...submitted].sort().reverse()).toEqual(submitted);
    expect(new Set(submitted.map((at: string) => at.slice(0, 10))).size).toBe(3);
    for (const application of applications) {
      expect(application.id).toMatch(/^CUT-\d{4}-\d{6}$/);
      expect(application.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(application.timeline.length).toBeGreaterThanOrEqual(2);
      expect(application.timeline.length).toBeLessThanOrEqual(4);
      expect(application.timeline[0]).toMatchObject({ status: 'SUBMITTED', at: application.submittedAt });
      expect(application.timeline.at(-1)).toMatchObject({ status: application.status, at: application.updatedAt });
      const at = application.timeline.map((event: { at: string }) => event.at);
      expect([...at].sort()).toEqual(at);
    }
    const licence = applications[1];
    expect(licence.office).toEqual({ id: 'mac-lima-norte', name: 'MAC Lima Norte' });
    expect(licence.nextStep).toBe(
      'Pick up your licence at MAC Lima Norte, Av. Alfredo Mendiola 1400, C.C. Plaza Norte (Independencia, Lima), Monday to Friday 9:00–20:00, Saturday 9:00–13:00. Bring your DNI.',
    );
    expect(licence.timeline.map((event: { status: string }) => event.status)).toEqual(['SUBMITTED', 'IN_REVIEW', 'APPROVED', 'READY_FOR_PICKUP']);
    expect(applications[0]).toMatchObject({ nextStep: null, office: null });
  });

  it('shows them to portal:read; FORBIDDEN to another citizen, another agency and nobody; BAD_USER_INPUT for a malformed DNI', async () => {
    const asAgency = await ask(APPLICATIONS, { representations: [carmen] }, tokens.portal);
    expect(asAgency.data._entities[0].applications).toHaveLength(3);
    for (const token of [tokens[LUIS], tokens.transport, undefined]) {
      const response = await ask(APPLICATIONS, { representations: [carmen] }, token);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(response.data._entities).toEqual([null]);
    }
    for (const dni of ['4785123', '4785123X', 47851236, null]) {
      const response = await ask(APPLICATIONS, { representations: [{ __typename: 'Citizen', dni }] }, tokens.portal);
      expect(errorCodes(response), String(dni)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('resolves an Application by case number for its citizen only; unknown is null, malformed BAD_USER_INPUT', async () => {
    const [newest] = (await ask(APPLICATIONS, { representations: [carmen] }, tokens[CARMEN])).data._entities[0].applications;
    const APPLICATION = ENTITIES('... on Application { id status procedure { slug } }');
    const mine = await ask(APPLICATION, { representations: [{ __typename: 'Application', id: newest.id }] }, tokens[CARMEN]);
    expect(mine.data._entities).toEqual([{ id: newest.id, status: 'IN_REVIEW', procedure: { slug: 'duplicado-de-dni' } }]);
    const theirs = await ask(APPLICATION, { representations: [{ __typename: 'Application', id: newest.id }] }, tokens[LUIS]);
    expect(errorCodes(theirs)).toEqual(['FORBIDDEN']);
    const unknown = await ask(APPLICATION, { representations: [{ __typename: 'Application', id: 'CUT-2020-999999' }] }, tokens[CARMEN]);
    expect(unknown.data._entities).toEqual([null]);
    const malformed = await ask(APPLICATION, { representations: [{ __typename: 'Application', id: 'CUT-1' }] }, tokens[CARMEN]);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
  });

  it('Query.application: own only; UNAUTHENTICATED, FORBIDDEN (unknown ones too, for a citizen), NOT_FOUND for portal:read, BAD_USER_INPUT', async () => {
    const [newest] = (await ask(APPLICATIONS, { representations: [carmen] }, tokens[CARMEN])).data._entities[0].applications;
    const query = 'query($id: ID!) { application(id: $id) { id status } }';
    expect((await ask(query, { id: newest.id }, tokens[CARMEN])).data.application).toEqual({ id: newest.id, status: 'IN_REVIEW' });
    expect(errorCodes(await ask(query, { id: newest.id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await ask(query, { id: newest.id }, tokens[LUIS]))).toEqual(['FORBIDDEN']);
    // A citizen cannot tell another's case number from one that does not exist: both are not theirs.
    expect(errorCodes(await ask(query, { id: 'CUT-2020-999999' }, tokens[CARMEN]))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask(query, { id: 'CUT-2020-999999' }, await agencyToken(['portal:read'])))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await ask(query, { id: "1' OR '1'='1" }, tokens[CARMEN]))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('startApplication', () => {
  const START = `mutation($input: StartApplicationInput!) {
    startApplication(input: $input) {
      applicationId
      application { id status channel submittedAt office { id } procedure { slug } timeline { status note } }
      procedure { slug requirementCodes }
    }
  }`;
  const start = (input: Record<string, unknown>, token: string | undefined = tokens[ANA]) => ask(START, { input }, token);
  const rowsForKey = async (dni: string, key: string) =>
    (await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = $1 AND idempotency_key = $2', [dni, key])).rows[0]?.n;
  const eventsOf = async (id: string) =>
    (await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM application_events WHERE application_id = $1', [id])).rows[0]?.n;

  it('starts an application for the signed-in citizen, with its SUBMITTED event and a CUT case number', async () => {
    const key = 'ana-revalidation-0001';
    const response = await start({ procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mac-callao', idempotencyKey: key });
    expect(response.errors).toBeUndefined();
    const payload = response.data.startApplication;
    expect(payload.applicationId).toMatch(/^CUT-\d{4}-\d{6}$/);
    expect(payload.application).toMatchObject({
      id: payload.applicationId,
      status: 'SUBMITTED',
      channel: 'IN_PERSON',
      office: { id: 'mac-callao' },
      procedure: { slug: REVALIDATION },
      timeline: [{ status: 'SUBMITTED', note: 'Received through the single intake (in person).' }],
    });
    expect(payload.procedure).toEqual({
      slug: REVALIDATION,
      requirementCodes: ['dni-valid', 'licence-revalidable', 'medical-exam-approved', 'no-unpaid-fines'],
    });
    const mine = await ask(ENTITIES('... on Citizen { applications { id } }'), { representations: [{ __typename: 'Citizen', dni: ANA }] }, tokens[ANA]);
    expect(mine.data._entities[0].applications[0].id).toBe(payload.applicationId);
  });

  it('returns the same application for a repeated key: one row, one event', async () => {
    const key = 'ana-renewal-key-0001';
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: key };
    const first = await start(input);
    const second = await start(input);
    expect(second.data.startApplication.applicationId).toBe(first.data.startApplication.applicationId);
    expect(await rowsForKey(ANA, key)).toBe(1);
    expect(await eventsOf(first.data.startApplication.applicationId)).toBe(1);
  });

  it('creates one application for concurrent requests with the same key', async () => {
    const key = 'ana-concurrent-key-0001';
    const input = { procedureSlug: 'pasaporte-electronico', channel: 'IN_PERSON', officeId: 'migraciones-brena', idempotencyKey: key };
    const responses = await Promise.all(Array.from({ length: 8 }, () => start(input)));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((response) => response.data.startApplication.applicationId));
    expect(ids.size).toBe(1);
    expect(await rowsForKey(ANA, key)).toBe(1);
    expect(await eventsOf([...ids][0] as string)).toBe(1);
  });

  it('lets two citizens use the same key independently', async () => {
    const input = { procedureSlug: 'pagar-papeletas', channel: 'ONLINE', idempotencyKey: 'shared-key-0001' };
    const ana = await start(input, tokens[ANA]);
    const luis = await start(input, tokens[LUIS]);
    expect(ana.data.startApplication.applicationId).not.toBe(luis.data.startApplication.applicationId);
  });

  it('refuses a key already used for another procedure with BAD_USER_INPUT, creating nothing', async () => {
    const key = 'ana-reused-key-0001';
    await start({ procedureSlug: 'consulta-vehicular', channel: 'ONLINE', idempotencyKey: key });
    const reused = await start({ procedureSlug: 'declaracion-anual-de-renta', channel: 'ONLINE', idempotencyKey: key });
    expect(errorCodes(reused)).toEqual(['BAD_USER_INPUT']);
    expect(await rowsForKey(ANA, key)).toBe(1);
  });

  it('needs a signed-in citizen: UNAUTHENTICATED without a token or with an agency token', async () => {
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'nobody-key-0001' };
    expect(errorCodes(await ask(START, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await start(input, tokens.portal))).toEqual(['UNAUTHENTICATED']);
  });

  it('says NOT_FOUND for an unknown procedure and BAD_USER_INPUT for channels, offices and keys that do not fit', async () => {
    const valid = { procedureSlug: 'renovar-dni', channel: 'IN_PERSON', officeId: 'mac-lima-este', idempotencyKey: 'ana-bad-input-0001' };
    expect(errorCodes(await start({ ...valid, procedureSlug: 'no-such-procedure' }))).toEqual(['NOT_FOUND']);
    for (const input of [
      { ...valid, procedureSlug: 'consultar-deuda-tributaria' }, // online only
      { ...valid, officeId: null }, // in person needs an office
      { ...valid, officeId: 'sat-lima-centro' }, // not one of this channel's offices
      { ...valid, channel: 'ONLINE' }, // online takes no office
      { ...valid, idempotencyKey: 'short' },
      { ...valid, idempotencyKey: 'k'.repeat(129) },
    ]) {
      expect(errorCodes(await start(input)), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
    }
    expect(errorCodes(await ask(START, { input: { ...valid, channel: 'BY_POST' } }, tokens[ANA]))).toEqual(['BAD_USER_INPUT']);
    expect(await rowsForKey(ANA, valid.idempotencyKey)).toBe(0);
  });

  it('resolves unmetRequirements from the verdicts in a StartApplicationPayload representation', async () => {
    const started = await start({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: 'ana-unmet-key-0001' });
    const applicationId = started.data.startApplication.applicationId;
    const UNMET = ENTITIES('... on StartApplicationPayload { application { id } unmetRequirements { code description detail status agency { code } } }');
    const payload = (procedure: unknown) => ({ __typename: 'StartApplicationPayload', applicationId, procedure });
    const verdicts = {
      identityChecks: [{ code: 'dni-valid', status: 'MET', detail: null }],
      transportChecks: [
        { code: 'licence-revalidable', status: 'MET', detail: null },
        { code: 'medical-exam-approved', status: 'NOT_MET', detail: 'No approved medical exam on record.' },
        { code: 'no-unpaid-fines', status: 'MET', detail: null },
      ],
      taxesChecks: null,
    };
    const response = await ask(UNMET, { representations: [payload(verdicts)] }, tokens[ANA]);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        application: { id: applicationId },
        unmetRequirements: [
          {
            code: 'medical-exam-approved',
            description: 'An approved medical exam from an MTC-authorised centre, still valid.',
            detail: 'No approved medical exam on record.',
            status: 'NOT_MET',
            agency: { code: 'MTC' },
          },
        ],
      },
    ]);
    const transportDown = await ask(UNMET, { representations: [payload({ ...verdicts, transportChecks: null })] }, tokens[ANA]);
    expect(transportDown.data._entities[0].unmetRequirements.map((r: { code: string; status: string }) => [r.code, r.status])).toEqual([
      ['licence-revalidable', 'UNKNOWN'],
      ['medical-exam-approved', 'UNKNOWN'],
      ['no-unpaid-fines', 'UNKNOWN'],
    ]);
    expect(errorCodes(await ask(UNMET, { representations: [payload(verdicts)] }, tokens[LUIS]))).toEqual(['FORBIDDEN']);
  });
});

describe('batching', () => {
  it("resolves 100 citizens' applications in one _entities request with one statement per table", async () => {
    // Carmen is among them so that offices are read too; the others are generated citizens.
    const dnis = [CARMEN, ...Array.from({ length: 99 }, (_, i) => generatedDni(i))];
    const query = ENTITIES(`... on Citizen { dni applications {
      id status submittedAt nextStep procedure { slug title agency { code name } } office { name } timeline { at status note }
    } }`);
    const representations = dnis.map((dni) => ({ __typename: 'Citizen', dni }));
    const { entities, perTable } = await resolveEntities(portal, query, representations, tokens.portal);
    expect(entities.map((entity) => entity.dni)).toEqual(dnis);
    const expected = await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = ANY($1)', [dnis]);
    const returned = entities.reduce((total, entity) => total + entity.applications.length, 0);
    expect(returned).toBe(expected.rows[0]?.n);
    expect(returned).toBeGreaterThan(3); // Carmen's three, and some generated citizens'
    expect(perTable).toEqual({ applications: 1, application_events: 1, procedures: 1, agencies: 1, offices: 1 });
  });
});

describe('on PGlite, as main.ts runs it by default', () => {
  let embedded: RunningSubgraph;
  beforeAll(async () => {
    embedded = await startSubgraph(portalService, { engine: 'pglite', citizens: 20 });
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('searches, lists Carmen\'s applications and starts an application the same way', async () => {
    const found = await graphql(embedded.url, '{ procedures(search: "renovacion") { totalCount edges { node { slug fee { amount } } } } }');
    expect(found.data.procedures).toEqual({ totalCount: 1, edges: [{ node: { slug: 'renovar-dni', fee: { amount: '30.00' } } }] });
    const carmen = await graphql(
      embedded.url,
      ENTITIES('... on Citizen { applications { status submittedAt } }'),
      { representations: [{ __typename: 'Citizen', dni: CARMEN }] },
      tokens[CARMEN],
    );
    expect(carmen.data._entities[0].applications.map((a: { status: string }) => a.status)).toEqual(['IN_REVIEW', 'READY_FOR_PICKUP', 'COMPLETED']);
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'pglite-key-0001' };
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { applicationId } }';
    const [first, again] = await Promise.all([1, 2].map(() => graphql(embedded.url, START, { input }, tokens[ANA])));
    expect(first?.data.startApplication.applicationId).toMatch(/^CUT-\d{4}-\d{6}$/);
    expect(again?.data.startApplication.applicationId).toBe(first?.data.startApplication.applicationId);
  });
});
