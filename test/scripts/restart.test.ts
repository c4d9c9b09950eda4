import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/script.js';

describe('npm run restart', () => {
  it('without a service name, says how it is used and exits 1', async () => {
    const run = await runScript('scripts/restart.ts', []);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'Usage: npm run restart -- <service>   (a subgraph, gateway or issuer)\n' });
  });
});
