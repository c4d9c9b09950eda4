import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** How a script run ended: a failing exit is an answer to check, not an exception. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (a path from the repository root, e.g. `scripts/token.ts`) with tsx, as the npm
 * script that wraps it would; `env` replaces the environment when given (default: this process's).
 */
export async function runScript(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as ScriptRun;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
