import { addBusinessDays } from '../../subgraphs/shared/businessDays.js';
import { isoDate, todayInPeru } from '../../subgraphs/shared/calendar.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../lib/caller.js';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import { generatedDni } from '../../subgraphs/shared/seeding.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { ANA, CARMEN, LUIS, ROSA } from '../helpers/personas.js';
import { expectPublishedSdl } from '../helpers/sdl.js';
import { countStatementsPerTable, expectOnlyTheGateway, lastReads, makeRoom, recordSize, resolveEntities, startSubgraph, type RunningSubgraph } from '../helpers/subgraph.js';
import { asCitizen, asOfficial, asService } from '../helpers/trust.js';

const REVALIDATION = 'revalidar-licencia-de-conducir';

/** An agency service that reads applications, and one that holds another agency's scope. */
const PORTAL_SERVICE = asService(['portal:read'], 'PCM', 'pcm-tracker');
const TRANSPORT_SERVICE = asService(['transport:read'], 'MTC', 'mtc-licensing');
/** What officials and services state they read for: without it they are refused. */
const PURPOSE = 'test purpose';
/** The same words for a case number that is someone else's and one that does not exist. */
const NOT_YOURS = 'No tienes ninguna solicitud con este número de expediente.';
const STATE_WHY = 'State why you read this: officials and agency services send the purpose in the x-purpose header.';

let portal: RunningSubgraph;

beforeAll(async () => {
  portal = await startSubgraph(portalService, { citizens: 120 });
});

afterAll(async () => {
  await portal?.close();
});

/** `query` as the gateway sends it on behalf of `caller` (default: nobody signed in), who states `purpose`. */
const ask = async (query: string, variables?: Record<string, unknown>, caller: Caller | null = null, purpose?: string) =>
  graphql(portal.url, query, variables, await portal.as(caller, purpose));

const ENTITIES = (selection: string) => `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ${selection} }
}`;

/** Each error's code and message, in order. */
const codesAndMessages = (response: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) =>
  (response.errors ?? []).map((error) => [error.extensions?.code, error.message]);

describe('portal subgraph contract', () => {
  it('publishes its SDL through _service to the gateway: every type, field, key and directive of schema.graphql', async () => {
    const sdl = await expectPublishedSdl(portal, portalService.typeDefs);
    expect(sdl).toContain('@contact(name: "PCM"');
  });

  it("answers only the gateway: no assertion, a citizen's own token or another subgraph's assertion get 401, before any statement", async () => {
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'not-from-the-gateway-0001' };
    await expectOnlyTheGateway(portal, ANA, [
      { query: '{ _service { sdl } }' },
      // Even the public catalogue: only the gateway is served.
      { query: '{ procedures { totalCount } }' },
      { query: START, variables: { input } },
    ]);
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
    // As Carmen: a citizen gets past every type's rule to the representation itself (a service may not read a payload or a page).
    const response = await ask(
      ENTITIES(`... on Agency { code } ... on Procedure { slug } ... on Citizen { dni } ... on Application { id }
        ... on StartApplicationPayload { intake } ... on DataAccessConnection { totalCount }`),
      {
        representations: [
          { __typename: 'Agency', code: 20337101276 },
          { __typename: 'Agency', code: 'SAT' },
          { __typename: 'Procedure', slug: null },
          { __typename: 'Procedure', slug: 'pagar-papeletas' },
          { __typename: 'Citizen', dni: '4785123' },
          { __typename: 'Citizen', dni: CARMEN },
          { __typename: 'Application', id: 'CUT-1' },
          { __typename: 'StartApplicationPayload', intake: 'CUT-1' },
          { __typename: 'DataAccessConnection', dni: CARMEN, first: 0, after: '' },
          { __typename: 'DataAccessConnection', dni: CARMEN, first: 5, after: '' },
        ],
      },
      asCitizen(CARMEN),
    );
    expect(response.data._entities).toEqual([
      null,
      { code: 'SAT' },
      null,
      { slug: 'pagar-papeletas' },
      null,
      { dni: CARMEN },
      null,
      null,
      null,
      { totalCount: expect.any(Number) },
    ]);
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual(
      [0, 2, 4, 6, 7, 8].map((index) => ['BAD_USER_INPUT', ['_entities', index]]),
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
      { code: 'dni-valid', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'RENIEC no puede responder en este momento.', agency: { code: 'RENIEC' } },
      { code: 'licence-revalidable', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'MTC no puede responder en este momento.', agency: { code: 'MTC' } },
      { code: 'medical-exam-approved', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'MTC no puede responder en este momento.', agency: { code: 'MTC' } },
      { code: 'no-unpaid-fines', kind: 'STATUS_CHECK', status: 'UNKNOWN', detail: 'SAT no puede responder en este momento.', agency: { code: 'SAT' } },
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

describe('the officials (domain.md §7)', () => {
  it('are seeded, each at an office of the catalogue, as the development issuer signs for them', async () => {
    const { rows } = await portal.db.query(
      'SELECT o.id, o.name, o.agency_code, o.office_id, o.scope, f.id IS NOT NULL AS office_exists FROM officials o LEFT JOIN offices f ON f.id = o.office_id ORDER BY o.id',
    );
    expect(rows).toEqual([
      { id: 'MTC-0001', name: 'Pedro Salas Rojas', agency_code: 'MTC', office_id: 'mtc-lima-centro', scope: 'applications:review', office_exists: true },
      { id: 'MTC-0002', name: 'Lucía Mendoza Paz', agency_code: 'MTC', office_id: 'mac-callao', scope: 'applications:review', office_exists: true },
      { id: 'RENIEC-0001', name: 'Óscar Vela Ríos', agency_code: 'RENIEC', office_id: 'reniec-lima-centro', scope: 'applications:review', office_exists: true },
      { id: 'SUNAT-0001', name: 'Teresa Ñique Soto', agency_code: 'SUNAT', office_id: 'sunat-lima-centro', scope: 'applications:review', office_exists: true },
    ]);
    for (const row of rows) {
      expect(asOfficial(String(row.id))).toEqual({ kind: 'official', id: row.id, name: row.name, agency: row.agency_code, office: row.office_id, scopes: [row.scope] });
    }
  });
});

describe('requirements decided by the agencies, through Procedure representations', () => {
  const REQUIREMENTS = ENTITIES('... on Procedure { slug requirementCodes requirements { code kind status detail agency { code } } }');
  const LUIS_FINES = '2 papeletas sin pagar: SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000456 G10 S/ 428.00.';
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
    const response = await ask(REQUIREMENTS, { representations: [luisLike] }, asCitizen(LUIS));
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
      { code: 'licence-revalidable', status: 'UNKNOWN', detail: 'MTC no puede responder en este momento.' },
      { code: 'medical-exam-approved', status: 'UNKNOWN', detail: 'MTC no puede responder en este momento.' },
      { code: 'no-unpaid-fines', status: 'UNKNOWN', detail: 'SAT no puede responder en este momento.' },
    ]);
  });

  it('asks the agencies only about status checks, ignores verdicts on codes the procedure lacks; a document stays UNKNOWN', async () => {
    const response = await ask(REQUIREMENTS, {
      representations: [
        {
          __typename: 'Procedure',
          slug: 'duplicado-de-dni',
          identityChecks: [{ code: 'dni-valid', status: 'NOT_MET', detail: 'Tu DNI fue cancelado: primero saca un duplicado (trámite duplicado-de-dni).' }],
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
          detail: 'Un documento que debes llevar (o adjuntar si lo haces en línea): ningún registro de una entidad puede mostrarlo.',
          agency: { code: 'RENIEC' },
        },
      ],
    });
  });
});

describe("Carmen's applications", () => {
  const APPLICATIONS = ENTITIES(`... on Citizen { dni applications {
    id procedure { slug agency { code } processingDays } status channel submittedAt updatedAt dueOn overdue nextStep office { id name } timeline { at status note }
  } }`);
  const carmen = { __typename: 'Citizen', dni: CARMEN };
  const APPLICATION = ENTITIES('... on Application { id status procedure { slug } }');
  const application = (id: unknown) => ({ __typename: 'Application', id });
  /** Carmen's case numbers, by procedure: duplicado-de-dni (RENIEC's), the revalidation (MTC's), inscribirse-en-el-ruc (SUNAT's). */
  const caseNumbers = async () => {
    const rows = await portal.db.query<{ id: string; procedure_slug: string }>('SELECT id, procedure_slug FROM applications WHERE dni = $1', [CARMEN]);
    return Object.fromEntries(rows.rows.map((row) => [row.procedure_slug, row.id])) as Record<string, string>;
  };

  it('lists her three applications at three agencies, newest first, each with its timeline oldest first', async () => {
    const response = await ask(APPLICATIONS, { representations: [carmen] }, asCitizen(CARMEN));
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
      'Recoge tu licencia de conducir en MAC Lima Norte, Av. Alfredo Mendiola 1400, C.C. Plaza Norte (Independencia, Lima), de lunes a viernes de 9:00 a 20:00 y los sábados de 9:00 a 13:00. Lleva tu DNI.',
    );
    expect(licence.timeline.map((event: { status: string }) => event.status)).toEqual(['SUBMITTED', 'IN_REVIEW', 'APPROVED', 'READY_FOR_PICKUP']);
    expect(applications[0]).toMatchObject({ nextStep: null, office: null });
  });

  it('says when each is due (business days from the Peruvian day after submission) and whether it is overdue', async () => {
    const response = await ask(APPLICATIONS, { representations: [carmen] }, asCitizen(CARMEN));
    const today = isoDate(todayInPeru());
    for (const application of response.data._entities[0].applications) {
      const submittedOn = isoDate(todayInPeru(new Date(application.submittedAt)));
      expect(application.dueOn).toBe(addBusinessDays(submittedOn, application.procedure.processingDays));
      expect(application.dueOn >= submittedOn).toBe(true);
      expect(application.overdue).toBe(['SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED'].includes(application.status) && today > application.dueOn);
    }
    // Decided ones are never overdue, however old.
    expect(response.data._entities[0].applications.filter((a: { status: string }) => a.status === 'COMPLETED').map((a: { overdue: boolean }) => a.overdue)).toEqual([false]);
  });

  it('shows them to portal:read once it states why; FORBIDDEN to another citizen, other agencies and officials, UNAUTHENTICATED to nobody; BAD_USER_INPUT for a malformed DNI', async () => {
    const asAgency = await ask(APPLICATIONS, { representations: [carmen] }, PORTAL_SERVICE, PURPOSE);
    expect(asAgency.errors).toBeUndefined();
    expect(asAgency.data._entities[0].applications).toHaveLength(3);
    const unstated = await ask(APPLICATIONS, { representations: [carmen] }, PORTAL_SERVICE);
    expect(codesAndMessages(unstated)).toEqual([['FORBIDDEN', STATE_WHY]]);
    // Not even the owning agency's official: they see one application by its case number, not a citizen's list.
    const cases: [Caller | null, string | undefined, string][] = [
      [asCitizen(LUIS), undefined, 'FORBIDDEN'],
      [TRANSPORT_SERVICE, PURPOSE, 'FORBIDDEN'],
      [asOfficial('MTC-0001'), PURPOSE, 'FORBIDDEN'],
      [null, undefined, 'UNAUTHENTICATED'],
    ];
    for (const [caller, purpose, code] of cases) {
      const response = await ask(APPLICATIONS, { representations: [carmen] }, caller, purpose);
      expect(errorCodes(response), code).toEqual([code]);
      // applications is nullable (schema/README.md): the refusal nulls the list, not the citizen.
      expect(response.data._entities).toEqual([{ dni: CARMEN, applications: null }]);
    }
    expect(codesAndMessages(await ask(APPLICATIONS, { representations: [carmen] }, TRANSPORT_SERVICE, PURPOSE))).toEqual([
      ['FORBIDDEN', "You may not see this citizen's records."],
    ]);
    for (const dni of ['4785123', '4785123X', 47851236, null]) {
      const response = await ask(APPLICATIONS, { representations: [{ __typename: 'Citizen', dni }] }, PORTAL_SERVICE, PURPOSE);
      expect(errorCodes(response), String(dni)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("tells another citizen they may not see her applications, not to state a purpose (which would not help them)", async () => {
    const response = await ask(APPLICATIONS, { representations: [carmen] }, asCitizen(LUIS));
    expect(codesAndMessages(response)).toEqual([['FORBIDDEN', "You may not see this citizen's records."]]);
  });

  it('resolves an Application by case number for its citizen, FORBIDDEN alike for another citizen and an unknown one; malformed BAD_USER_INPUT', async () => {
    const newest = (await caseNumbers())['duplicado-de-dni']!;
    const mine = await ask(APPLICATION, { representations: [application(newest)] }, asCitizen(CARMEN));
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([{ id: newest, status: 'IN_REVIEW', procedure: { slug: 'duplicado-de-dni' } }]);
    const theirs = await ask(APPLICATION, { representations: [application(newest)] }, asCitizen(LUIS));
    expect(codesAndMessages(theirs)).toEqual([['FORBIDDEN', NOT_YOURS]]);
    expect(theirs.data._entities).toEqual([null]);
    // Case numbers are sequential: Carmen cannot tell one that does not exist from someone else's.
    expect(await ask(APPLICATION, { representations: [application('CUT-2020-999999')] }, asCitizen(CARMEN))).toEqual(theirs);
    // A portal:read service may see any application, so it learns that this one does not exist.
    const unknown = await ask(APPLICATION, { representations: [application('CUT-2020-999999')] }, PORTAL_SERVICE, PURPOSE);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data._entities).toEqual([null]);
    const malformed = await ask(APPLICATION, { representations: [application('CUT-1')] }, asCitizen(CARMEN));
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await ask(APPLICATION, { representations: [application(newest)] }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it("shows an official the applications of their own agency's procedures only, unknown ones refused alike", async () => {
    const ids = await caseNumbers();
    const read = (id: string, official: string) => ask(APPLICATION, { representations: [application(id)] }, asOfficial(official), 'expediente en trámite');
    for (const official of ['MTC-0001', 'MTC-0002']) {
      const own = await read(ids[REVALIDATION]!, official);
      expect(own.errors).toBeUndefined();
      expect(own.data._entities).toEqual([{ id: ids[REVALIDATION], status: 'READY_FOR_PICKUP', procedure: { slug: REVALIDATION } }]);
      const others = await read(ids['duplicado-de-dni']!, official);
      expect(codesAndMessages(others)).toEqual([['FORBIDDEN', NOT_YOURS]]);
      // An official is decided by the record's agency: a missing record is refused as another agency's is.
      expect(await read('CUT-2020-999999', official)).toEqual(others);
    }
    expect((await read(ids['duplicado-de-dni']!, 'RENIEC-0001')).data._entities).toEqual([{ id: ids['duplicado-de-dni'], status: 'IN_REVIEW', procedure: { slug: 'duplicado-de-dni' } }]);
    expect((await read(ids['inscribirse-en-el-ruc']!, 'SUNAT-0001')).data._entities[0].status).toBe('COMPLETED');
    // The case is why an official handling it reads it: none need be stated.
    const unstated = await ask(APPLICATION, { representations: [application(ids[REVALIDATION])] }, asOfficial('MTC-0001'));
    expect(unstated.errors).toBeUndefined();
  });

  it('Query.application: own only; UNAUTHENTICATED, FORBIDDEN (unknown ones too, for a citizen or an official), NOT_FOUND for portal:read, BAD_USER_INPUT', async () => {
    const ids = await caseNumbers();
    const newest = ids['duplicado-de-dni']!;
    const query = 'query($id: ID!) { application(id: $id) { id status } }';
    expect((await ask(query, { id: newest }, asCitizen(CARMEN))).data.application).toEqual({ id: newest, status: 'IN_REVIEW' });
    expect((await ask(query, { id: newest }, asOfficial('RENIEC-0001'), PURPOSE)).data.application).toEqual({ id: newest, status: 'IN_REVIEW' });
    expect((await ask(query, { id: newest }, PORTAL_SERVICE, PURPOSE)).data.application).toEqual({ id: newest, status: 'IN_REVIEW' });
    expect(codesAndMessages(await ask(query, { id: newest }))).toEqual([['UNAUTHENTICATED', 'Sign in to see this.']]);
    const theirs = await ask(query, { id: newest }, asCitizen(LUIS));
    expect(codesAndMessages(theirs)).toEqual([['FORBIDDEN', NOT_YOURS]]);
    // A citizen cannot tell another's case number from one that does not exist: both are not theirs.
    expect(await ask(query, { id: 'CUT-2020-999999' }, asCitizen(CARMEN))).toEqual(theirs);
    const otherAgencys = await ask(query, { id: newest }, asOfficial('MTC-0001'), PURPOSE);
    expect(codesAndMessages(otherAgencys)).toEqual([['FORBIDDEN', NOT_YOURS]]);
    expect(await ask(query, { id: 'CUT-2020-999999' }, asOfficial('MTC-0001'), PURPOSE)).toEqual(otherAgencys);
    expect(codesAndMessages(await ask(query, { id: newest }, TRANSPORT_SERVICE, PURPOSE))).toEqual([['FORBIDDEN', NOT_YOURS]]);
    expect(codesAndMessages(await ask(query, { id: 'CUT-2020-999999' }, PORTAL_SERVICE, PURPOSE))).toEqual([
      ['NOT_FOUND', 'Ningún expediente tiene el número CUT-2020-999999.'],
    ]);
    expect(errorCodes(await ask(query, { id: "1' OR '1'='1" }, asCitizen(CARMEN)))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('startApplication', () => {
  const START = `mutation($input: StartApplicationInput!) {
    startApplication(input: $input) {
      application { id status channel submittedAt nextStep office { id } procedure { slug } timeline { from status note actor { kind id } } }
      procedure { slug requirementCodes }
    }
  }`;
  const start = (input: Record<string, unknown>, caller: Caller | null = asCitizen(ANA), purpose?: string) => ask(START, { input }, caller, purpose);
  const rowsForKey = async (dni: string, key: string) =>
    (await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = $1 AND idempotency_key = $2', [dni, key])).rows[0]?.n;
  const eventsOf = async (id: string) =>
    (await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM application_events WHERE application_id = $1', [id])).rows[0]?.n;

  it('starts an application for the signed-in citizen, with its SUBMITTED event and a CUT case number (asked directly: no verdicts, nothing NOT_MET)', async () => {
    const key = 'ana-revalidation-0001';
    const response = await start({ procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mac-callao', idempotencyKey: key });
    expect(response.errors).toBeUndefined();
    const payload = response.data.startApplication;
    expect(payload.application.id).toMatch(/^CUT-\d{4}-\d{6}$/);
    expect(payload.application).toMatchObject({
      status: 'SUBMITTED',
      channel: 'IN_PERSON',
      nextStep: null,
      office: { id: 'mac-callao' },
      procedure: { slug: REVALIDATION },
      timeline: [{ from: null, status: 'SUBMITTED', note: 'Recibida por la ventanilla única (en persona).', actor: { kind: 'CITIZEN', id: ANA } }],
    });
    expect(payload.procedure).toEqual({
      slug: REVALIDATION,
      requirementCodes: ['dni-valid', 'licence-revalidable', 'medical-exam-approved', 'no-unpaid-fines'],
    });
    const mine = await ask(ENTITIES('... on Citizen { applications { id } }'), { representations: [{ __typename: 'Citizen', dni: ANA }] }, asCitizen(ANA));
    expect(mine.data._entities[0].applications[0].id).toBe(payload.application.id);
  });

  it('returns the same application for a repeated key: one row, one event', async () => {
    const key = 'ana-renewal-key-0001';
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: key };
    const first = await start(input);
    const second = await start(input);
    expect(second.data.startApplication.application.id).toBe(first.data.startApplication.application.id);
    expect(await rowsForKey(ANA, key)).toBe(1);
    expect(await eventsOf(first.data.startApplication.application.id)).toBe(1);
  });

  it('creates one application for concurrent requests with the same key', async () => {
    const key = 'ana-concurrent-key-0001';
    const input = { procedureSlug: 'pasaporte-electronico', channel: 'IN_PERSON', officeId: 'migraciones-brena', idempotencyKey: key };
    const responses = await Promise.all(Array.from({ length: 8 }, () => start(input)));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((response) => response.data.startApplication.application.id));
    expect(ids.size).toBe(1);
    expect(await rowsForKey(ANA, key)).toBe(1);
    expect(await eventsOf([...ids][0] as string)).toBe(1);
  });

  it('lets two citizens use the same key independently', async () => {
    const input = { procedureSlug: 'pagar-papeletas', channel: 'ONLINE', idempotencyKey: 'shared-key-0001' };
    const ana = await start(input, asCitizen(ANA));
    const luis = await start(input, asCitizen(LUIS));
    expect(ana.data.startApplication.application.id).not.toBe(luis.data.startApplication.application.id);
  });

  it('refuses a key already used for another procedure with BAD_USER_INPUT, creating nothing', async () => {
    const key = 'ana-reused-key-0001';
    await makeRoom(portal.db, ANA, 'renovar-dni');
    expect((await start({ procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: key })).errors).toBeUndefined();
    const reused = await start({ procedureSlug: 'declaracion-anual-de-renta', channel: 'ONLINE', idempotencyKey: key });
    expect(errorCodes(reused)).toEqual(['BAD_USER_INPUT']);
    expect(await rowsForKey(ANA, key)).toBe(1);
  });

  it('needs a signed-in citizen: UNAUTHENTICATED for nobody, FORBIDDEN for an agency service or an official, creating nothing', async () => {
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'nobody-key-0001' };
    const nobody = await start(input, null);
    expect(errorCodes(nobody)).toEqual(['UNAUTHENTICATED']);
    expect(nobody.data).toBeNull();
    for (const caller of [PORTAL_SERVICE, asOfficial('RENIEC-0001')]) {
      const refused = await start(input, caller, PURPOSE);
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.data).toBeNull();
    }
    expect((await portal.db.query('SELECT id FROM applications WHERE idempotency_key = $1', [input.idempotencyKey])).rows).toEqual([]);
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
    expect(errorCodes(await ask(START, { input: { ...valid, channel: 'BY_POST' } }, asCitizen(ANA)))).toEqual(['BAD_USER_INPUT']);
    expect(await rowsForKey(ANA, valid.idempotencyKey)).toBe(0);
  });

  describe('where the verdicts meet: the StartApplicationPayload representation the planner brings back', () => {
    const INTAKE = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { intake } }';
    const PAYLOAD = ENTITIES(`... on StartApplicationPayload {
      application { id status nextStep timeline { from status note actor { kind id } } }
      unmetRequirements { code description detail status agency { code } }
    }`);
    /** The intake the mutation answers: asking for nothing else, it makes nothing yet. */
    const intakeOf = async (input: Record<string, unknown>, caller: Caller = asCitizen(ANA)) => {
      const response = await ask(INTAKE, { input }, caller);
      expect(response.errors).toBeUndefined();
      return response.data.startApplication.intake as string;
    };
    const representation = (intake: string, procedure: unknown) => ({ __typename: 'StartApplicationPayload', intake, procedure });
    const FINES = '2 papeletas impagas: SAT-2025-0000123 L02 S/ 214.00, SAT-2025-0000457 G10 S/ 428.00.';
    const revalidation = (transportChecks: unknown[] | null, identityChecks: unknown[] = [{ code: 'dni-valid', status: 'MET', detail: null }]) => ({
      identityChecks,
      transportChecks,
      taxesChecks: [],
    });
    const met = (code: string) => ({ code, status: 'MET', detail: null });

    it('makes nothing until then: the mutation only checks and answers with the intake', async () => {
      const key = 'luis-intake-only-0001';
      await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: key }, asCitizen(LUIS));
      expect(await rowsForKey(LUIS, key)).toBe(0);
    });

    it('starts ACTION_REQUIRED when only requirements the citizen can settle are NOT_MET, listing them in nextStep and in the submission\'s note', async () => {
      await makeRoom(portal.db, LUIS, REVALIDATION);
      const key = 'luis-fines-key-0001';
      const intake = await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: key }, asCitizen(LUIS));
      const verdicts = revalidation([met('licence-revalidable'), met('medical-exam-approved'), { code: 'no-unpaid-fines', status: 'NOT_MET', detail: FINES }]);
      const response = await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, asCitizen(LUIS));
      expect(response.errors).toBeUndefined();
      const [{ application, unmetRequirements }] = response.data._entities;
      expect(application).toEqual({
        id: expect.stringMatching(/^CUT-\d{4}-\d{6}$/),
        status: 'ACTION_REQUIRED',
        nextStep: `Resuelve lo que falta para que Ministerio de Transportes y Comunicaciones evalúe tu solicitud. SAT: ${FINES}`,
        timeline: [{ from: null, status: 'ACTION_REQUIRED', note: `Recibida por la ventanilla única (en línea). Falta que el ciudadano resuelva: SAT: ${FINES}`, actor: { kind: 'CITIZEN', id: LUIS } }],
      });
      expect(unmetRequirements).toEqual([{ code: 'no-unpaid-fines', description: expect.any(String), detail: FINES, status: 'NOT_MET', agency: { code: 'SAT' } }]);
      expect(await rowsForKey(LUIS, key)).toBe(1);
      // The gateway may send the fetch again: the same application, as it is, and still one event.
      const again = await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, asCitizen(LUIS));
      expect(again.data._entities[0].application).toEqual(application);
      expect(await eventsOf(application.id)).toBe(1);
    });

    it('refuses, making nothing, when a requirement no step of the citizen settles is NOT_MET: BAD_USER_INPUT with the reasons and their codes', async () => {
      const key = 'rosa-no-licence-0001';
      const intake = await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: key }, asCitizen(ROSA));
      const noLicence = 'No tienes licencia de conducir que revalidar: solicita una nueva.';
      const expired = 'Tu DNI venció el 2026-11-07: renuévalo primero (trámite renovar-dni).';
      const verdicts = revalidation(
        [{ code: 'licence-revalidable', status: 'NOT_MET', detail: noLicence }, { code: 'medical-exam-approved', status: 'NOT_MET', detail: 'Sin examen.' }, met('no-unpaid-fines')],
        [{ code: 'dni-valid', status: 'NOT_MET', detail: expired }],
      );
      const response = await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, asCitizen(ROSA));
      expect(response.data._entities).toEqual([null]);
      expect(response.errors).toHaveLength(1);
      const [error] = response.errors!;
      // Only what makes it impossible is the reason; what she could settle would not help.
      expect(error!.message).toBe(`No puedes iniciar "Revalidar licencia de conducir". MTC: ${noLicence}`);
      expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requirements: [{ code: 'licence-revalidable', detail: noLicence }] });
      expect(await rowsForKey(ROSA, key)).toBe(0);
    });

    it('starts SUBMITTED when everything is met, and when an agency cannot answer (UNKNOWN is not NOT_MET)', async () => {
      await makeRoom(portal.db, ANA, REVALIDATION);
      const allMet = await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: 'ana-all-met-0001' });
      const verdicts = revalidation([met('licence-revalidable'), met('medical-exam-approved'), met('no-unpaid-fines')]);
      const response = await ask(PAYLOAD, { representations: [representation(allMet, verdicts)] }, asCitizen(ANA));
      expect(response.errors).toBeUndefined();
      expect(response.data._entities[0]).toMatchObject({ application: { status: 'SUBMITTED', nextStep: null, timeline: [{ status: 'SUBMITTED', note: 'Recibida por la ventanilla única (en línea).' }] }, unmetRequirements: [] });

      await makeRoom(portal.db, LUIS, REVALIDATION);
      const transportDown = await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: 'luis-transport-down-0001' }, asCitizen(LUIS));
      const down = await ask(PAYLOAD, { representations: [representation(transportDown, revalidation(null))] }, asCitizen(LUIS));
      expect(down.errors).toBeUndefined();
      expect(down.data._entities[0].application.status).toBe('SUBMITTED');
      expect(down.data._entities[0].unmetRequirements.map((r: { code: string; status: string; detail: string }) => [r.code, r.status, r.detail])).toEqual([
        ['licence-revalidable', 'UNKNOWN', 'MTC no puede responder en este momento.'],
        ['medical-exam-approved', 'UNKNOWN', 'MTC no puede responder en este momento.'],
        ['no-unpaid-fines', 'UNKNOWN', 'SAT no puede responder en este momento.'],
      ]);
    });

    it('answers a retry with the application as it is, even when the verdicts have changed since', async () => {
      await makeRoom(portal.db, ANA, REVALIDATION);
      const intake = await intakeOf({ procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: 'ana-retry-key-0001' });
      const first = await ask(PAYLOAD, { representations: [representation(intake, revalidation([met('licence-revalidable'), met('medical-exam-approved'), met('no-unpaid-fines')]))] }, asCitizen(ANA));
      const refusing = revalidation([{ code: 'licence-revalidable', status: 'NOT_MET', detail: 'Suspendida.' }, met('medical-exam-approved'), met('no-unpaid-fines')]);
      const retry = await ask(PAYLOAD, { representations: [representation(intake, refusing)] }, asCitizen(ANA));
      expect(retry.errors).toBeUndefined();
      expect(retry.data._entities[0].application).toEqual(first.data._entities[0].application);
    });

    it("is always the caller's: another citizen with the same intake makes their own, and services, officials and nobody are refused", async () => {
      await makeRoom(portal.db, ANA, 'renovar-dni');
      await makeRoom(portal.db, LUIS, 'renovar-dni');
      const intake = await intakeOf({ procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'ana-whose-key-0001' });
      const verdicts = { identityChecks: [met('dni-renewable')], transportChecks: [], taxesChecks: [] };
      const ana = await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, asCitizen(ANA));
      const luis = await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, asCitizen(LUIS));
      expect(luis.errors).toBeUndefined();
      expect(luis.data._entities[0].application.id).not.toBe(ana.data._entities[0].application.id);
      expect(luis.data._entities[0].application.timeline[0].actor).toEqual({ kind: 'CITIZEN', id: LUIS });
      for (const caller of [PORTAL_SERVICE, asOfficial('RENIEC-0001')]) {
        expect(errorCodes(await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }, caller, PURPOSE))).toEqual(['FORBIDDEN']);
      }
      expect(errorCodes(await ask(PAYLOAD, { representations: [representation(intake, verdicts)] }))).toEqual(['UNAUTHENTICATED']);
      const forged = Buffer.from(JSON.stringify({ procedureSlug: 'renovar-dni', channel: 'BY_POST', officeId: null, idempotencyKey: 'forged-key-0001' })).toString('base64url');
      expect(errorCodes(await ask(PAYLOAD, { representations: [representation(forged, verdicts)] }, asCitizen(ANA)))).toEqual(['BAD_USER_INPUT']);
      expect(await rowsForKey(ANA, 'forged-key-0001')).toBe(0);
    });
  });
});

describe('the access record', () => {
  const APPLICATION_FIELDS = (...names: string[]) => names.map((name) => `Application.${name}`);

  it("notes a citizen reading her list under PCM, and each application's fields under its procedure's agency", async () => {
    const response = await ask(
      ENTITIES('... on Citizen { applications { id status procedure { slug } } }'),
      { representations: [{ __typename: 'Citizen', dni: CARMEN }] },
      asCitizen(CARMEN),
    );
    expect(response.errors).toBeUndefined();
    const carmen = { dni: CARMEN, accessor_kind: 'CITIZEN', accessor_id: CARMEN, purpose: null };
    const byAgency = (await lastReads(portal, 4)).sort((a, b) => String(a.agency).localeCompare(String(b.agency)));
    expect(byAgency).toEqual([
      // The case number is part of the record: Application is guarded as a whole.
      { ...carmen, agency: 'MTC', fields: APPLICATION_FIELDS('id', 'procedure', 'status') },
      { ...carmen, agency: 'PCM', fields: ['Citizen.applications'] },
      { ...carmen, agency: 'RENIEC', fields: APPLICATION_FIELDS('id', 'procedure', 'status') },
      { ...carmen, agency: 'SUNAT', fields: APPLICATION_FIELDS('id', 'procedure', 'status') },
    ]);
  });

  it('notes who an official or an agency service is, and why: the case an official handles, the purpose a service states', async () => {
    const columns = 'dni, agency, fields, accessor_kind, accessor_id, accessor_name, accessor_agency, purpose';
    const [row] = (await portal.db.query<{ id: string }>('SELECT id FROM applications WHERE dni = $1 AND procedure_slug = $2', [CARMEN, REVALIDATION])).rows;
    const query = 'query($id: ID!) { application(id: $id) { status office { id } } }';
    expect((await ask(query, { id: row!.id }, asOfficial('MTC-0001'), 'entrega de licencia')).errors).toBeUndefined();
    expect(await lastReads(portal, 1, columns)).toEqual([
      { dni: CARMEN, agency: 'MTC', fields: APPLICATION_FIELDS('office', 'status'), accessor_kind: 'OFFICIAL', accessor_id: 'MTC-0001', accessor_name: 'Pedro Salas Rojas', accessor_agency: 'MTC', purpose: row!.id },
    ]);
    expect((await ask(query, { id: row!.id }, PORTAL_SERVICE, 'seguimiento')).errors).toBeUndefined();
    expect(await lastReads(portal, 1, columns)).toEqual([
      { dni: CARMEN, agency: 'MTC', fields: APPLICATION_FIELDS('office', 'status'), accessor_kind: 'AGENCY', accessor_id: 'pcm-tracker', accessor_name: 'Test service', accessor_agency: 'PCM', purpose: 'seguimiento' },
    ]);
  });

  it("notes a started application's reads, not the payload's", async () => {
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { status channel } procedure { slug } } }';
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'ana-recorded-key-0001' };
    await makeRoom(portal.db, ANA, 'renovar-dni');
    expect((await ask(START, { input }, asCitizen(ANA))).errors).toBeUndefined();
    expect(await lastReads(portal)).toEqual([{ dni: ANA, agency: 'RENIEC', fields: APPLICATION_FIELDS('channel', 'status'), accessor_kind: 'CITIZEN', accessor_id: ANA, purpose: null }]);
  });

  it('notes nothing of a refused read, nor of the public catalogue', async () => {
    const before = await recordSize(portal);
    const [row] = (await portal.db.query<{ id: string }>('SELECT id FROM applications WHERE dni = $1 LIMIT 1', [CARMEN])).rows;
    const carmen = { representations: [{ __typename: 'Citizen', dni: CARMEN }] };
    expect(errorCodes(await ask(ENTITIES('... on Citizen { applications { id } }'), carmen, asCitizen(LUIS)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask('query($id: ID!) { application(id: $id) { status } }', { id: row!.id }, asCitizen(LUIS)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask('query($id: ID!) { application(id: $id) { status } }', { id: row!.id }, PORTAL_SERVICE))).toEqual(['FORBIDDEN']);
    expect((await ask(`query($slug: ID!) { procedure(slug: $slug) { title requirements { status } } }`, { slug: REVALIDATION }, asCitizen(CARMEN))).errors).toBeUndefined();
    expect(await recordSize(portal)).toBe(before);
  });
});

describe('batching', () => {
  it("resolves 100 citizens' applications in one _entities request with one statement per table, and records them in one", async () => {
    // Carmen is among them so that offices are read too; the others are generated citizens.
    const dnis = [CARMEN, ...Array.from({ length: 99 }, (_, i) => generatedDni(i))];
    const query = ENTITIES(`... on Citizen { dni applications {
      id status submittedAt nextStep procedure { slug title agency { code name } } office { name } timeline { at status note }
    } }`);
    const representations = dnis.map((dni) => ({ __typename: 'Citizen', dni }));
    const { entities, perTable } = await resolveEntities(portal, query, representations, PORTAL_SERVICE, PURPOSE);
    expect(entities.map((entity) => entity.dni)).toEqual(dnis);
    const expected = await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE dni = ANY($1)', [dnis]);
    const returned = entities.reduce((total, entity) => total + entity.applications.length, 0);
    expect(returned).toBe(expected.rows[0]?.n);
    expect(returned).toBeGreaterThan(3); // Carmen's three, and some generated citizens'
    expect(perTable).toEqual({
      applications: 1,
      application_events: 1,
      procedures: 1,
      agencies: 1,
      offices: 1,
      // Writing the reads: the writers' lock, the chain's head, one INSERT.
      'SELECT pg_advisory_xact_lock($1)': 1,
      access_record: 2,
    });
  });

  it('serves the catalogue without touching the access record', async () => {
    const { counts } = await countStatementsPerTable({ portal: portal.db }, () =>
      ask('{ procedures(first: 100) { edges { node { slug agency { code } fee { amount } channels { offices { id } } } } } }', undefined, asCitizen(CARMEN)),
    );
    // The catalogue's tables, and nothing of the access record's.
    expect(Object.keys(counts.portal).sort()).toEqual(['agencies', 'channel_offices', 'procedure_channels', 'procedures']);
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

  it("searches, lists Carmen's applications and starts an application the same way, recording the reads", async () => {
    const found = await graphql(embedded.url, '{ procedures(search: "renovacion") { totalCount edges { node { slug fee { amount } } } } }', undefined, await embedded.as(null));
    expect(found.data.procedures).toEqual({ totalCount: 1, edges: [{ node: { slug: 'renovar-dni', fee: { amount: '30.00' } } }] });
    const carmen = await graphql(
      embedded.url,
      ENTITIES('... on Citizen { applications { status submittedAt } }'),
      { representations: [{ __typename: 'Citizen', dni: CARMEN }] },
      await embedded.as(asCitizen(CARMEN)),
    );
    expect(carmen.data._entities[0].applications.map((a: { status: string }) => a.status)).toEqual(['IN_REVIEW', 'READY_FOR_PICKUP', 'COMPLETED']);
    const input = { procedureSlug: 'renovar-dni', channel: 'ONLINE', idempotencyKey: 'pglite-key-0001' };
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id status } } }';
    const [first, again] = await Promise.all([1, 2].map(async () => graphql(embedded.url, START, { input }, await embedded.as(asCitizen(ANA)))));
    expect(first?.data.startApplication.application.id).toMatch(/^CUT-\d{4}-\d{6}$/);
    expect(again?.data.startApplication.application.id).toBe(first?.data.startApplication.application.id);
    const recorded = await embedded.db.query<{ dni: string; agency: string }>('SELECT dni, agency FROM access_record ORDER BY position');
    // Carmen's list and her three applications; Ana's application, read by each of the two requests.
    expect(recorded.rows.map((row) => `${row.dni} ${row.agency}`).sort()).toEqual(
      [`${ANA} RENIEC`, `${ANA} RENIEC`, `${CARMEN} MTC`, `${CARMEN} PCM`, `${CARMEN} RENIEC`, `${CARMEN} SUNAT`].sort(),
    );
  });
});
