import { describe, expect, it } from 'vitest';
import { viewerFromAuthorization } from '../../subgraphs/shared/auth.js';
import { runScript, type ScriptRun } from '../helpers/script.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-jwt';

/** Runs `npm run token -- ...args` as a person would, with JWT_SECRET set. */
function token(...args: string[]): Promise<ScriptRun> {
  return runScript('scripts/token.ts', args, { PATH: process.env.PATH, JWT_SECRET: SECRET });
}

// Each case starts a process; they are independent, so they run side by side.
describe.concurrent('npm run token', () => {
  it("prints a citizen's token signed with JWT_SECRET, valid for the asked period", async () => {
    const { code, stdout } = await token('41234567', '--expires', '2h');
    expect(code).toBe(0);
    const viewer = await viewerFromAuthorization(`Bearer ${stdout.trim()}`, SECRET);
    expect(viewer).toMatchObject({ dni: '41234567', scopes: [] });
    const { exp, iat } = JSON.parse(Buffer.from(stdout.split('.')[1]!, 'base64url').toString());
    expect(exp - iat).toBe(2 * 3600);
  });

  it("prints an agency's token with its scopes", async () => {
    const { code, stdout } = await token('--scope', 'transport:read', '--scope', 'identity:read');
    expect(code).toBe(0);
    expect(await viewerFromAuthorization(`Bearer ${stdout.trim()}`, SECRET)).toMatchObject({
      dni: null,
      scopes: ['transport:read', 'identity:read'],
    });
  });

  it.each([
    [['4123456'], '"4123456" is not a DNI'],
    [['41234567', '--expires', 'soon'], '--expires "soon" is not a time span'],
    [['41234567', '--scope', 'everything'], '"everything" is not a scope'],
    [[], 'Give a DNI, or --scope'],
  ])('refuses %j with a message and exit code 1', async (args, message) => {
    const { code, stdout, stderr } = await token(...args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });
});
