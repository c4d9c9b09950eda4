/**
 * `npm run token -- <dni> [--scope identity:read ...] [--expires 12h]`: prints a token the gateway and
 * subgraphs accept, signed with JWT_SECRET (the development secret when unset). Without a DNI but
 * with scopes it is an agency's token. Development and tests only: real tokens come from the
 * national login.
 */
import { parseArgs } from 'node:util';
import { signToken } from '../subgraphs/shared/auth.js';
import { ConfigError, jwtSecretFrom } from '../subgraphs/shared/config.js';
import { isDni, notADni } from '../subgraphs/shared/dni.js';

const USAGE = 'Usage: npm run token -- <dni> [--scope identity:read ...] [--expires 12h]';

async function main(): Promise<string> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      scope: { type: 'string', multiple: true, default: [] },
      expires: { type: 'string', default: '12h' },
    },
    allowPositionals: true,
  });
  const [dni, ...extra] = positionals;
  if (extra.length) throw new ConfigError(`One DNI at most, not ${positionals.length}. ${USAGE}`);
  if (dni === undefined && values.scope.length === 0) throw new ConfigError(`Give a DNI, or --scope for an agency token. ${USAGE}`);
  if (dni !== undefined && !isDni(dni)) throw new ConfigError(notADni(dni));
  const malformedScope = values.scope.find((scope) => !/^[a-z]+:[a-z]+$/.test(scope));
  if (malformedScope) throw new ConfigError(`"${malformedScope}" is not a scope: scopes look like identity:read.`);
  try {
    return await signToken(jwtSecretFrom(process.env), { dni, scopes: values.scope }, values.expires);
  } catch (error) {
    // jose refuses a period it cannot read ("12 hours" works, "soon" does not).
    if (error instanceof TypeError) throw new ConfigError(`--expires "${values.expires}" is not a time span, e.g. 12h, 30m, 7d.`);
    throw error;
  }
}

main().then(
  (token) => console.log(token),
  (error: unknown) => {
    // parseArgs reports unknown options with a TypeError of its own.
    console.error(error instanceof ConfigError || error instanceof TypeError ? `${error.message}` : error);
    process.exit(1);
  },
);
