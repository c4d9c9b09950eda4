/**
 * `npm run token -- <dni>` prints a citizen's token; `--official MTC-0001` an official's (domain.md
 * §7); `--service <client id> --agency <code> --scope transport:read ...` an agency service's.
 * `--expires 12h` sets how long it lasts. Tokens are signed with the development issuer's key (made
 * under `.data/issuer/` if it is not there yet), so the gateway verifies them exactly as it verifies
 * the national login's. Development and tests only.
 */
import { parseArgs } from 'node:util';
import type { Caller } from '../lib/caller.js';
import { ConfigError } from '../lib/settings.js';
import { loadIssuerConfig, readIssuerKeys } from '../issuer/config.js';
import { OFFICIAL_IDS, officialCaller } from '../issuer/directory.js';
import { signCallerToken } from '../issuer/tokens.js';
import { isDni, notADni } from '../subgraphs/shared/dni.js';

const USAGE =
  'Usage: npm run token -- <dni> | --official <id> | --service <client id> --agency <code> [--scope <scope> ...] [--name <name>]  [--expires 12h]';

function callerFrom(values: { official?: string; service?: string; agency?: string; scope: string[]; name?: string }, positionals: string[]): Caller {
  const [dni, ...extra] = positionals;
  const kinds = [dni !== undefined, values.official !== undefined, values.service !== undefined].filter(Boolean).length;
  if (extra.length || kinds !== 1) throw new ConfigError(`Give one DNI, one --official or one --service. ${USAGE}`);
  const malformedScope = values.scope.find((scope) => !/^[a-z]+:[a-z]+$/.test(scope));
  if (malformedScope) throw new ConfigError(`"${malformedScope}" is not a scope: scopes look like identity:read.`);
  if (dni !== undefined) {
    if (!isDni(dni)) throw new ConfigError(notADni(dni));
    if (values.scope.length || values.agency) throw new ConfigError(`A citizen's token carries no --scope or --agency. ${USAGE}`);
    return { kind: 'citizen', id: dni, scopes: [] };
  }
  if (values.official !== undefined) {
    const official = officialCaller(values.official);
    if (!official) throw new ConfigError(`No official has the id "${values.official}": one of ${OFFICIAL_IDS.join(', ')}.`);
    return values.scope.length ? { ...official, scopes: values.scope } : official;
  }
  if (!values.agency || !/^[A-Z]+$/.test(values.agency)) throw new ConfigError(`An agency service needs --agency <code>, e.g. --agency SUNARP. ${USAGE}`);
  return { kind: 'service', id: values.service!, name: values.name ?? null, agency: values.agency, scopes: values.scope };
}

async function main(): Promise<string> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      official: { type: 'string' },
      service: { type: 'string' },
      agency: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string', multiple: true, default: [] },
      expires: { type: 'string', default: '12h' },
    },
    allowPositionals: true,
  });
  const caller = callerFrom(values, positionals);
  const config = loadIssuerConfig(process.env);
  const keys = await readIssuerKeys(config);
  try {
    return await signCallerToken(keys, config.url, caller, { expiresIn: values.expires });
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
