/**
 * `npm run keys -- <command> <file>`: keeps a key file (the gateway's `GATEWAY_KEYS_FILE`, or the
 * development issuer's), a JSON set of private JWKs whose first key signs and all of which are
 * published. Rotation without a failed verification, in three steps a cache age apart:
 *   new <file>       makes a file with one new key (refuses to overwrite one)
 *   add <file>       adds a new key second: published, not signing yet (wait until every verifier
 *                    has fetched it: a minute for Ventanilla's subgraphs)
 *   promote <file>   makes the second key the signer; the old one stays published
 *   retire <file>    removes every key but the signer (once assertions signed by them have expired)
 * `--alg ES256|RS256|EdDSA` chooses a new key's algorithm (default ES256). It prints each key's kid.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { DEFAULT_SIGNING_ALGORITHM, generatePrivateJwk, keySetFrom, SIGNING_ALGORITHMS, type SigningAlgorithm } from '../lib/keys.js';
import { ConfigError } from '../lib/settings.js';
import { DEVELOPMENT_KEY_ID_PREFIX } from '../lib/signIn.js';

const USAGE = 'Usage: npm run keys -- new|add|promote|retire <file> [--alg ES256|RS256|EdDSA]';

async function readKeys(file: string): Promise<JWK[]> {
  const keys = (JSON.parse(await readFile(file, 'utf8')) as { keys: JWK[] }).keys;
  // Checked as the gateway will read it, so that a file this writes is one it can use.
  await keySetFrom({ keys }, file);
  return keys;
}

async function writeKeys(file: string, keys: JWK[], flag: 'w' | 'wx' = 'w'): Promise<string> {
  await keySetFrom({ keys }, file);
  await writeFile(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600, flag });
  return `${file}: ${keys.map((key, index) => `${key.kid} (${key.alg}${index === 0 ? ', signs' : ', published'})`).join(', ')}`;
}

async function main(): Promise<string> {
  const { values, positionals } = parseArgs({ options: { alg: { type: 'string', default: DEFAULT_SIGNING_ALGORITHM } }, allowPositionals: true });
  const [command, file, ...extra] = positionals;
  if (!command || !file || extra.length) throw new ConfigError(USAGE);
  const alg = values.alg as SigningAlgorithm;
  if (!SIGNING_ALGORITHMS.includes(alg)) throw new ConfigError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}, not "${values.alg}".`);
  switch (command) {
    case 'new':
      return writeKeys(file, [await generatePrivateJwk(alg)], 'wx').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new ConfigError(`${file} exists: rotate its keys with add, promote and retire.`);
        throw error;
      });
    case 'add': {
      const [signer, ...rest] = await readKeys(file);
      // The development issuer's keys say so in their kid, for production to refuse: a new one too.
      const prefix = String(signer!.kid).startsWith(DEVELOPMENT_KEY_ID_PREFIX) ? DEVELOPMENT_KEY_ID_PREFIX : '';
      return writeKeys(file, [signer!, await generatePrivateJwk(alg, prefix), ...rest]);
    }
    case 'promote': {
      const [signer, next, ...rest] = await readKeys(file);
      if (!next) throw new ConfigError(`${file} has one key: add one first.`);
      return writeKeys(file, [next, signer!, ...rest]);
    }
    case 'retire':
      return writeKeys(file, (await readKeys(file)).slice(0, 1));
    default:
      throw new ConfigError(`Unknown command "${command}". ${USAGE}`);
  }
}

main().then(
  (summary) => console.log(summary),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof TypeError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
