/**
 * `npm run schema -- <verb>`: an agency's side of the schema registry, in rover's and Hive's shape.
 * Every verb is one call to the registry's HTTP API (registry/service.ts), so an agency's CI may call
 * the API directly instead.
 *
 *   check <subgraph> --sdl <file>                        what publishing it would do; exit 1 if it breaks something
 *   publish <subgraph> --sdl <file> --reason <text>      check, then publish (--force: publish a failing check, on the record)
 *   history <subgraph>                                   every version: who, when, why
 *   diff <subgraph> <from> <to>                          what changed between two versions
 *   rollback <subgraph> <version> --reason <text>        publish an earlier version again
 *
 * Exit codes: 0 done (a check that passes); 1 a check that fails or a refused publish; 2 a wrong
 * command or request, or a registry that cannot be reached or fails.
 *
 * Options: --json (the API's answer as it is, for CI), --url <routing URL> (check, publish: where the
 * gateway reaches a new subgraph), --registry <url> (default REGISTRY_URL or http://127.0.0.1:4020),
 * --token <token> (default REGISTRY_TOKEN: the agency's credential, with the schema:publish scope).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatCheckReport, type CheckReport } from '../registry/check.js';

const USAGE = `Usage: npm run schema -- check <subgraph> --sdl <file> [--json]
       npm run schema -- publish <subgraph> --sdl <file> --reason <text> [--force] [--json]
       npm run schema -- history <subgraph> [--json]
       npm run schema -- diff <subgraph> <from> <to> [--json]
       npm run schema -- rollback <subgraph> <version> --reason <text> [--force] [--json]
Options: --registry <url> (REGISTRY_URL), --token <token> (REGISTRY_TOKEN), --url <routing URL>`;

class UsageError extends Error {}

const CALL_TIMEOUT_MS = 60_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sdl: { type: 'string' },
      reason: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      url: { type: 'string' },
      registry: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const [verb, subgraph, ...rest] = positionals;
  if (!verb || !subgraph) throw new UsageError('Name a verb and a subgraph.');
  const registry = (values.registry ?? process.env.REGISTRY_URL ?? 'http://127.0.0.1:4020').replace(/\/$/, '');
  const token = values.token ?? process.env.REGISTRY_TOKEN;
  const at = `${registry}/subgraphs/${encodeURIComponent(subgraph)}`;
  const sdl = async () => {
    if (!values.sdl) throw new UsageError(`${verb} needs --sdl <file>.`);
    return readFile(values.sdl, 'utf8');
  };
  const reason = () => {
    if (!values.reason) throw new UsageError(`${verb} needs --reason <text>: the registry records why.`);
    return values.reason;
  };

  let answer: Answer;
  switch (verb) {
    case 'check':
      answer = await call('POST', `${at}/check`, { sdl: await sdl(), routingUrl: values.url });
      break;
    case 'publish':
      answer = await call('POST', `${at}/publish`, { sdl: await sdl(), routingUrl: values.url, reason: reason(), force: values.force }, token);
      break;
    case 'history':
      answer = await call('GET', `${at}/history`);
      break;
    case 'diff': {
      const [from, to] = rest;
      if (!from || !to) throw new UsageError('diff needs two versions: diff <subgraph> <from> <to>.');
      answer = await call('GET', `${at}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      break;
    }
    case 'rollback': {
      const version = Number(rest[0]);
      if (!Number.isInteger(version)) throw new UsageError('rollback needs the version to go back to: rollback <subgraph> <version>.');
      answer = await call('POST', `${at}/rollback`, { version, reason: reason(), force: values.force }, token);
      break;
    }
    default:
      throw new UsageError(`Unknown verb "${verb}".`);
  }

  if (values.json) console.log(JSON.stringify(answer.body, null, 2));
  else console.log(readable(verb, subgraph, answer));
  const report = (answer.body.report ?? (verb === 'check' ? answer.body : undefined)) as CheckReport | undefined;
  // 2: the request was wrong or the registry failed, which CI must not take for a refused change.
  if (answer.status >= 500 || answer.status === 400) return 2;
  return answer.status >= 400 || (verb === 'check' && report && !report.ok) ? 1 : 0;
}

async function call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      // A publish asks the subgraph what it serves: a minute is ample, and CI must not hang forever.
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`The registry at ${new URL(url).origin} cannot be reached (${(error as Error).cause ?? (error as Error).message}): is it running?`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(`The registry answered HTTP ${response.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

function readable(verb: string, subgraph: string, { status, body }: Answer): string {
  const lines: string[] = [];
  const error = body.error as { code: string; message: string } | undefined;
  if (error) lines.push(`Refused (${error.code}): ${error.message}`);
  const report = (body.report ?? (verb === 'check' && !error ? body : undefined)) as CheckReport | undefined;
  if (report) lines.push(formatCheckReport(report));
  if (status < 400) {
    if (verb === 'publish' || verb === 'rollback') lines.unshift(`Published ${subgraph} version ${body.version} (supergraph version ${body.supergraphVersion}).`);
    if (verb === 'history') {
      for (const version of body.versions as { version: number; publishedAt: string; publishedBy: string; agency: string; reason: string; forced: boolean }[]) {
        lines.push(`v${version.version}  ${version.publishedAt}  ${version.agency}/${version.publishedBy}${version.forced ? '  FORCED' : ''}  ${version.reason}`);
      }
    }
    if (verb === 'diff') {
      const changes = body.changes as { criticality: string; message: string }[];
      lines.push(`${subgraph}: ${changes.length} change(s) from version ${body.from} to ${body.to}`);
      for (const change of changes) lines.push(`  ${change.criticality.padEnd(13)} ${change.message}`);
    }
  }
  return lines.join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message);
    process.exit(2);
  },
);
