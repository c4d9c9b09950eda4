import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/script.js';

describe('a bad setting', () => {
  // Each entry point reads its configuration through configOrExit: the operator gets the setting
  // to fix and exit code 1, never a stack trace, and nothing is started.
  it.each([
    ['gateway/main.ts', [], { GATEWAY_PORT: '0x1F' }, 'GATEWAY_PORT must be a whole number from 0 to 65535, not "0x1F".'],
    ['subgraphs/identity/main.ts', [], { IDENTITY_PORT: 'eighty' }, 'IDENTITY_PORT must be a whole number from 0 to 65535, not "eighty".'],
    ['scripts/start.ts', [], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud".'],
    ['scripts/seed.ts', ['--citizens', '1e3'], {}, '--citizens must be a whole number from 0 to 500000, not "1e3".'],
  ])('stops %s with its message alone', async (script, args, env, message) => {
    const run = await runScript(script, args, { ...process.env, ...env });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
  });
});
