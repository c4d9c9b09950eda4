/** Reading settings from the environment and the command line: the same rules for every process. */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Runs `load`, which reads configuration; a ConfigError ends the process with its message and exit
 * code 1. A setting mistake is the operator's to fix: they need which one, not a stack trace.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * A whole number from `min` to `max` written in plain decimal digits, or `fallback` when unset.
 * Anything else is refused rather than guessed at: `Number()` alone would read "0x1F" as 31 and
 * "1e3" as 1000, and a setting that means something other than it looks is worse than an error.
 */
export function parseWholeNumber(value: string | undefined, fallback: number, variable: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new ConfigError(`${variable} must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return number;
}

/** A TCP port (0: any free one). */
export function parsePort(value: string | undefined, fallback: number, variable: string): number {
  return parseWholeNumber(value, fallback, variable, 0, 65535);
}

export function parseBoolean(value: string | undefined, fallback: boolean, variable: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${variable} must be true or false, not "${value}".`);
}

/** How long a stopping service lets the requests in flight finish by default: `DRAIN_GRACE_MS`'s default. */
export const DEFAULT_DRAIN_GRACE_MS = 5000;

/**
 * DRAIN_GRACE_MS: how long a service told to stop (SIGTERM, SIGINT) lets the requests in flight finish
 * before cutting them off, 0 to 600000; default 5000.
 */
export function drainGraceFrom(env: Env): number {
  return parseWholeNumber(env.DRAIN_GRACE_MS, DEFAULT_DRAIN_GRACE_MS, 'DRAIN_GRACE_MS', 0, 600_000);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL, a pino level; default info. */
export function logLevelFrom(env: Env): string {
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${level}".`);
  return level;
}

