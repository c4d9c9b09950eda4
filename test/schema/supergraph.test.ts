import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeSupergraph,
  COMPOSITION_VERSION,
  DEFAULT_CONFIG_FILE,
  DEFAULT_SUPERGRAPH_FILE,
  readSupergraphConfig,
  supergraphFileContents,
} from '../../schema/compose.js';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS } from '../../subgraphs/shared/config.js';
import { runScript, type ScriptRun } from '../helpers/script.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ventanilla-compose-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs `npm run compose -- ...args` as a person would. */
function compose(...args: string[]): Promise<ScriptRun> {
  return runScript('schema/compose.ts', args);
}

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@shareable"])';

/** A supergraph.yaml in the temp folder over the given SDLs; returns its path. */
async function writeConfig(name: string, sdls: Record<string, string>, federationVersion = `=${COMPOSITION_VERSION}`): Promise<string> {
  const entries = await Promise.all(
    Object.entries(sdls).map(async ([subgraph, sdl], i) => {
      await writeFile(join(folder, `${name}-${subgraph}.graphql`), sdl);
      return `  ${subgraph}:\n    routing_url: http://127.0.0.1:${5001 + i}/graphql\n    schema:\n      file: ./${name}-${subgraph}.graphql\n`;
    }),
  );
  const file = join(folder, `${name}.yaml`);
  await writeFile(file, `federation_version: ${federationVersion}\nsubgraphs:\n${entries.join('')}`);
  return file;
}

describe('schema/supergraph.graphql', () => {
  it('is what composing the current subgraph SDLs gives (run `npm run compose` when this fails)', async () => {
    const composition = composeSupergraph(await readSupergraphConfig(DEFAULT_CONFIG_FILE));
    if (composition.errors) throw new Error(composition.errors.map((problem) => problem.message).join('\n'));
    expect(await readFile(DEFAULT_SUPERGRAPH_FILE, 'utf8')).toBe(supergraphFileContents(composition.supergraphSdl));
  });

  it('routes to the four agencies on their development ports', async () => {
    const subgraphs = await readSupergraphConfig(DEFAULT_CONFIG_FILE);
    expect(subgraphs.map(({ name, routingUrl }) => [name, routingUrl])).toEqual(
      SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`]),
    );
  });
});

describe('npm run compose', () => {
  it('reports every composition error with its code and subgraphs, exits 1 and writes nothing', async () => {
    const config = await writeConfig('mismatch', {
      alpha: `${FEDERATION} type Money @shareable { amount: String! } type Query { price: Money }`,
      beta: `${FEDERATION} type Money @shareable { amount: Float! } type Query { cost: Money, total: Money }`,
    });
    const out = join(folder, 'mismatch.graphql');
    const { code, stderr } = await compose('--config', config, '--out', out);
    expect(code).toBe(1);
    expect(stderr).toContain('Composition failed with 1 error(s)');
    expect(stderr).toContain('FIELD_TYPE_MISMATCH [alpha, beta]: Type of field "Money.amount" is incompatible across subgraphs');
    await expect(stat(out)).rejects.toThrow('ENOENT');
  });

  it('names the file, line and column of an SDL that does not parse', async () => {
    const config = await writeConfig('syntax', { alpha: `${FEDERATION}\ntype Query {\n  broken(: String\n}` });
    const { code, stderr } = await compose('--config', config, '--out', join(folder, 'syntax.graphql'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/subgraph "alpha": .*syntax-alpha\.graphql:3:10: Syntax Error/);
  });

  it('refuses a federation_version other than the installed composition', async () => {
    const config = await writeConfig('version', { alpha: `${FEDERATION} type Query { a: Int }` }, '=2.3.0');
    await expect(readSupergraphConfig(config)).rejects.toThrow(`pins federation 2.3.0, but @apollo/composition ${COMPOSITION_VERSION} is installed`);
  });

  it('with --check, exits 1 when the output file is stale and 0 when it is current', async () => {
    const config = await writeConfig('check', { alpha: `${FEDERATION} type Query { a: Int }` });
    const out = join(folder, 'check.graphql');
    await writeFile(out, '# an old supergraph\n');
    const stale = await compose('--config', config, '--out', out, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('is stale: run `npm run compose`');

    expect((await compose('--config', config, '--out', out)).code).toBe(0);
    const current = await compose('--config', config, '--out', out, '--check');
    expect(current).toMatchObject({ code: 0, stderr: '' });
  });
});
