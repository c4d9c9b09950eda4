import pino, { type Logger } from 'pino';

export type { Logger };

/** A JSON logger named after its service; `level` "silent" keeps tests quiet. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level });
}
