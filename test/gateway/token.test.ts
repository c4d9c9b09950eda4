import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFromClaims } from '../../lib/caller.js';
import { readKeyFile } from '../../lib/keys.js';
import { runScript, type ScriptRun } from '../helpers/script.js';

const ISSUER_URL = 'http://127.0.0.1:4999';
let folder: string;
let keysFile: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ventanilla-issuer-'));
  keysFile = join(folder, 'keys.json');
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs `npm run token -- ...args` as a person would, against a development issuer of the test's own. */
function token(...args: string[]): Promise<ScriptRun> {
  return runScript('scripts/token.ts', args, { PATH: process.env.PATH, ISSUER_KEYS_FILE: keysFile, ISSUER_URL });
}

/** The claims of a printed token, verified with the issuer's published keys as the gateway would. */
async function verified(run: ScriptRun) {
  expect(run.code).toBe(0);
  const keys = await readKeyFile(keysFile);
  const { payload } = await jwtVerify(run.stdout.trim(), createLocalJWKSet(keys.publicJwks), { issuer: ISSUER_URL, audience: 'ventanilla', algorithms: ['ES256'] });
  return payload;
}

describe('npm run token', () => {
  it("prints a citizen's token, signed by the development issuer (its key made at first use), valid for the asked period", async () => {
    const payload = await verified(await token('41234567', '--expires', '2h'));
    expect(callerFromClaims(payload)).toEqual({ kind: 'citizen', id: '41234567', scopes: [] });
    expect(payload.exp! - payload.iat!).toBe(2 * 3600);
  });

  // Both depend on the key file the first case made; they run side by side after it.
  describe.concurrent('with the key made', () => {
    it("prints a seeded official's token with their agency, office and scopes", async () => {
      expect(callerFromClaims(await verified(await token('--official', 'MTC-0001')))).toEqual({
        kind: 'official',
        id: 'MTC-0001',
        name: 'Pedro Salas Rojas',
        agency: 'MTC',
        office: 'mtc-lima-centro',
        scopes: ['applications:review'],
      });
    });

    it("prints an agency service's token with its scopes", async () => {
      const payload = await verified(await token('--service', 'sunarp-registry', '--agency', 'SUNARP', '--scope', 'identity:read', '--scope', 'transport:read'));
      expect(callerFromClaims(payload)).toEqual({ kind: 'service', id: 'sunarp-registry', name: null, agency: 'SUNARP', scopes: ['identity:read', 'transport:read'] });
    });

    it.each([
      [['4123456'], '"4123456" is not a DNI'],
      [['41234567', '--expires', 'soon'], '--expires "soon" is not a time span'],
      [['--service', 'x', '--agency', 'SUNARP', '--scope', 'everything'], '"everything" is not a scope'],
      [['41234567', '--scope', 'identity:read'], "A citizen's token carries no --scope"],
      [['--official', 'MTC-9999'], 'No official has the id "MTC-9999": one of MTC-0001, MTC-0002, RENIEC-0001, SUNAT-0001'],
      [['--service', 'x'], 'An agency service needs --agency <code>'],
      [[], 'Give one DNI, one --official or one --service'],
    ])('refuses %j with a message and exit code 1', async (args, message) => {
      const { code, stdout, stderr } = await token(...args);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(message);
    });
  });
});
