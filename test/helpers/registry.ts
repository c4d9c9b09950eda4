import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import { createRegistry, type Registry } from '../../registry/createRegistry.js';
import type { RegistryConfig } from '../../registry/config.js';
import { SUBGRAPH_NAMES } from '../../subgraphs/shared/config.js';
import type { Platform } from './platform.js';
import { createTestDatabase } from './postgres.js';
import { testSignIn, testTrust } from './trust.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  registry: Registry;
  /** One call to its HTTP API, with the JSON answer. */
  api(method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * A registry on a fresh PostgreSQL database (or PGlite in memory) whose first versions are `platform`'s subgraphs as they
 * run (their URLs), trusting the test identity provider and signing with the test gateway keys.
 */
export async function startRegistry(
  platform: Platform,
  options: { redis?: RegistryConfig['redis']; usageWindowDays?: number; engine?: 'postgres' | 'pglite' } = {},
): Promise<RunningRegistry> {
  const folder = await mkdtemp(join(tmpdir(), 'ventanilla-registry-'));
  const yaml = [
    'federation_version: =2.14.4',
    'subgraphs:',
    ...SUBGRAPH_NAMES.flatMap((name) => [`  ${name}:`, `    routing_url: ${platform.subgraphs[name].url}`, '    schema:', `      file: ${join(ROOT, 'subgraphs', name, 'schema.graphql')}`]),
  ].join('\n');
  await writeFile(join(folder, 'supergraph.yaml'), yaml);
  // PGlite in memory, as `npm start`'s embedded default but gone with the test.
  const database = options.engine === 'pglite' ? undefined : await createTestDatabase('registry');
  const registry = await createRegistry(
    {
      databaseUrl: database?.url,
      pgliteDir: undefined,
      redis: options.redis ?? { url: undefined, keyPrefix: 'test:' },
      contractFolder: join(ROOT, 'contract'),
      usageWindowDays: options.usageWindowDays ?? 30,
      seedConfig: join(folder, 'supergraph.yaml'),
    },
    { signIn: await testSignIn(), gatewayKeys: (await testTrust()).gatewayKeys, logger: createLogger('registry', 'silent') },
  );
  const listening = await listen(registry.app, 0, '127.0.0.1');
  return {
    url: listening.url,
    registry,
    async api(method, path, body, token) {
      const response = await fetch(`${listening.url}${path}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    },
    async close() {
      await listening.close();
      await registry.close();
      await database?.drop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
