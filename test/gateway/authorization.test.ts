import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supergraphForPlanner } from '../../gateway/authorization.js';
import type { Caller } from '../../lib/caller.js';
import { authHeaders, postRaw, type GraphQLResponse } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { asCitizen, asService, tokenFor } from '../helpers/trust.js';
import { capturingLogger, startToySubgraph, toySupergraph, vaultWipes, type ToySubgraph } from './toys.js';

/**
 * The gateway enforces `@authenticated`, `@requiresScopes` and `@policy` itself, over any supergraph
 * (here a toy that checks nothing): a field the caller may not see is taken out before planning, so
 * its subgraph is never asked for it, and comes back null with its error at its path while the rest
 * of the answer arrives; a non-null one nulls its nearest nullable parent, as GraphQL does.
 */
let vault: ToySubgraph;
let gateway: RunningGateway;
const log = capturingLogger();

beforeAll(async () => {
  vault = await startToySubgraph('vault');
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([vault]) }, { logger: log.logger });
});
afterAll(async () => {
  await gateway?.close();
  await vault?.close();
});

const VAULT_OFFICIAL: Caller = { kind: 'official', id: 'V-1', name: 'Vault keeper', agency: 'VAULT', office: 'vault-1', scopes: [] };

async function ask(query: string, caller: Caller | null = null, purpose?: string): Promise<GraphQLResponse> {
  const auth = caller ? { token: await tokenFor(caller), purpose } : undefined;
  return postRaw(gateway.url, JSON.stringify({ query }), authHeaders(auth));
}

/** What the vault was sent for the last request. */
const lastSent = () => vault.queries().at(-1) ?? '';

describe("the gateway's authorization", () => {
  it("answers what a caller may see, and refuses at its path only the field a policy they do not meet guards", async () => {
    const response = await ask('{ open signedIn scoped box { diary code } }', asService(['vault:read']), 'audit');
    expect(response.errors).toEqual([{ message: 'You may not see this.', path: ['box', 'diary'], extensions: { code: 'FORBIDDEN' } }]);
    expect(response.data).toEqual({ open: 'open', signedIn: 'signed in', scoped: 'scoped', box: { diary: null, code: 'code 1' } });
  });

  it('answers UNAUTHENTICATED without a caller, field by field, and never asks the subgraph for them', async () => {
    const response = await ask('{ open signedIn scoped }');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ open: 'open', signedIn: null, scoped: null });
    expect(response.errors).toEqual([
      { message: 'Sign in to see this.', path: ['signedIn'], extensions: { code: 'UNAUTHENTICATED' } },
      { message: 'Sign in to see this.', path: ['scoped'], extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(lastSent()).not.toMatch(/signedIn|scoped/);
  });

  it('checks scopes: any one group of @requiresScopes will do', async () => {
    expect((await ask('{ scoped }', asService(['vault:admin']), 'x')).data).toEqual({ scoped: 'scoped' });
    const refused = await ask('{ scoped }', asService(['other:read']), 'x');
    expect(refused.errors).toEqual([{ message: 'You may not see this.', path: ['scoped'], extensions: { code: 'FORBIDDEN' } }]);
  });

  it('answers every item of a list at its own path, and a non-null field nulls its nearest nullable parent', async () => {
    const response = await ask('{ boxes { id diary code } }', asCitizen('41234567'));
    // code is non-null: the first box is nulled, and the non-null list of non-null boxes with it, up
    // to `data`; as in graphql-js, the first error that reaches the top is the one reported.
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['boxes', 0, 'code']]]);
    expect(response.data).toBeNull();
    // diary is nullable: each box keeps its other fields, and each gets its own error.
    const nullable = await ask('{ boxes { id diary } }', VAULT_OFFICIAL, 'inventory');
    expect(nullable.data).toEqual({ boxes: [{ id: '1', diary: null }, { id: '2', diary: null }] });
    expect(nullable.errors?.map((error) => error.path)).toEqual([['boxes', 0, 'diary'], ['boxes', 1, 'diary']]);
  });

  it('finds a denied field in fragments and aliases, wherever they are spread', async () => {
    const response = await ask(
      'query { first: box { ...Secrets } second: box { ... on Box { mine: diary } label } } fragment Secrets on Box { label diary }',
      VAULT_OFFICIAL,
      'inventory',
    );
    expect(response.data).toEqual({ first: { label: 'box 1', diary: null }, second: { mine: null, label: 'box 1' } });
    expect(response.errors?.map((error) => error.path)).toEqual([['first', 'diary'], ['second', 'mine']]);
    expect(lastSent()).not.toContain('diary');
  });

  it("keeps the client's own aliases, whatever they are, and reports a field asked twice at one path once", async () => {
    const clash = await ask('{ _ventanilla_denied_0: open signedIn ... on Query { signedIn } }');
    expect(clash.data).toEqual({ _ventanilla_denied_0: 'open', signedIn: null });
    expect(clash.errors).toEqual([{ message: 'Sign in to see this.', path: ['signedIn'], extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('refuses a supergraph that renames the authorization directives, which it could not enforce', () => {
    const renamed = toySupergraph([vault]).replace('@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)', '@link(url: "https://specs.apollo.dev/policy/v0.1", as: "rule", for: SECURITY)');
    expect(renamed).toContain('as: "rule"');
    expect(() => supergraphForPlanner(renamed)).toThrow('renames https://specs.apollo.dev/policy/v0.1 with "as:"');
  });

  it('says nothing of a denied field the client skipped', async () => {
    const response = await ask('query ($no: Boolean = false) { open signedIn @include(if: $no) }');
    expect(response).toMatchObject({ status: 200, data: { open: 'open' } });
    expect(response.errors).toBeUndefined();
  });

  it('tells an official or a service who states no purpose to state one', async () => {
    const response = await ask('{ box { code } }', VAULT_OFFICIAL);
    expect(response.errors?.[0]?.message).toBe('State why you read this: officials and agency services send the purpose in the x-purpose header.');
    expect((await ask('{ box { code } }', VAULT_OFFICIAL, 'inventory')).data).toEqual({ box: { code: 'code 1' } });
  });

  it('never grants a policy it does not know, and says so in its log', async () => {
    const response = await ask('{ mystery }', asService(['vault:read', 'vault:admin']), 'curious');
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(log.lines.some((line) => String(line.msg).includes('@policy names policies Ventanilla does not know') && JSON.stringify(line.policies) === '["nonsense"]')).toBe(true);
  });

  it('does not run a mutation the caller may not run', async () => {
    const before = vaultWipes();
    const refused = await ask('mutation { wipe }', asService(['vault:read']), 'tidy');
    expect(refused.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['wipe']]]);
    expect(refused.data).toBeNull();
    expect(vaultWipes()).toBe(before);
    expect((await ask('mutation { wipe }', asService(['vault:write']), 'tidy')).data).toEqual({ wipe: true });
    expect(vaultWipes()).toBe(before + 1);
  });

  it('plans a rewritten operation as itself: one caller refused does not refuse the next, nor the other way round', async () => {
    const query = '{ box { code } }';
    for (let round = 0; round < 2; round += 1) {
      expect((await ask(query, asCitizen('41234567'))).data).toBeNull();
      expect((await ask(query, VAULT_OFFICIAL, 'inventory')).data).toEqual({ box: { code: 'code 1' } });
    }
  });
});
