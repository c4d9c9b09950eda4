/**
 * Who is asking, as a verified token says. Three kinds, told apart by the claims (README, "Who is
 * asking"):
 *
 * | kind     | claims                                                   |
 * |----------|----------------------------------------------------------|
 * | citizen  | `sub` (their national id), no `agency`                   |
 * | official | `sub` (official id), `agency`, `office`, `name`, `scope` |
 * | service  | `sub` (the service's client id), `agency`, no `office`   |
 *
 * Scopes come from `scope` (space-separated, OAuth 2.0) or `scp` (a list).
 */
export type Caller =
  | { kind: 'citizen'; id: string; scopes: readonly string[] }
  | { kind: 'official'; id: string; name: string | null; agency: string; office: string; scopes: readonly string[] }
  | { kind: 'service'; id: string; name: string | null; agency: string; scopes: readonly string[] };

export type CallerKind = Caller['kind'];

/** A token whose claims name no caller Ventanilla knows. */
export class UnknownCaller extends Error {
  override name = 'UnknownCaller';
}

/** The longest id, name, agency or office a claim may carry: they go into logs and access records. */
const MAX_CLAIM_LENGTH = 200;

function optionalText(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CLAIM_LENGTH) {
    throw new UnknownCaller(`The token's "${name}" claim must be a string of 1 to ${MAX_CLAIM_LENGTH} characters.`);
  }
  return value;
}

function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp) && claims.scp.every((scope) => typeof scope === 'string')) return claims.scp as string[];
  if (claims.scope !== undefined || claims.scp !== undefined) throw new UnknownCaller('The token\'s scopes must be a "scope" string or an "scp" list.');
  return [];
}

/** The caller a verified token's claims describe; UnknownCaller when they describe none. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const id = optionalText(claims, 'sub');
  if (id === null) throw new UnknownCaller('The token names nobody: it has no "sub" claim.');
  const agency = optionalText(claims, 'agency');
  const office = optionalText(claims, 'office');
  const name = optionalText(claims, 'name');
  const scopes = scopesOf(claims);
  if (agency === null) {
    if (office !== null) throw new UnknownCaller('The token names an office but no agency.');
    return { kind: 'citizen', id, scopes };
  }
  return office === null ? { kind: 'service', id, name, agency, scopes } : { kind: 'official', id, name, agency, office, scopes };
}

/** The claims that say `caller`: the inverse of callerFromClaims, for whoever signs a token or an assertion. */
export function claimsOf(caller: Caller): Record<string, unknown> {
  const scope = caller.scopes.length ? { scope: caller.scopes.join(' ') } : {};
  if (caller.kind === 'citizen') return { sub: caller.id, ...scope };
  const name = caller.name === null ? {} : { name: caller.name };
  if (caller.kind === 'service') return { sub: caller.id, agency: caller.agency, ...name, ...scope };
  return { sub: caller.id, agency: caller.agency, office: caller.office, ...name, ...scope };
}

/**
 * Why a caller reads personal data: an official or an agency service must say (X-Road's "issue"), a
 * citizen reading their own need not. Sent as the `x-purpose` header; plain text, at most 200 characters,
 * in UTF-8 or percent-encoded (`revisi%C3%B3n`: browsers send no UTF-8 in headers).
 */
export const PURPOSE_HEADER = 'x-purpose';
export const MAX_PURPOSE_LENGTH = 200;

/** `value` as a purpose, or an Error message saying what is wrong with it; an absent or blank one is null. */
export function parsePurpose(value: string | undefined): { purpose: string | null } | { problem: string } {
  let purpose = value?.trim();
  // Node reads header bytes as Latin-1: UTF-8 sent as is (curl does) is read back as UTF-8.
  if (purpose && /[^\x00-\x7f]/.test(purpose)) {
    const utf8 = Buffer.from(purpose, 'latin1').toString('utf8');
    if (!utf8.includes('\uFFFD')) purpose = utf8;
  }
  try {
    if (purpose?.includes('%')) purpose = decodeURIComponent(purpose).trim();
  } catch {
    // Not percent-encoding after all: a literal "%" is kept as it is.
  }
  if (!purpose) return { purpose: null };
  // Control characters would let a purpose forge log lines or records.
  if (purpose.length > MAX_PURPOSE_LENGTH || /[\p{Cc}]/u.test(purpose)) {
    return { problem: `The ${PURPOSE_HEADER} header must be plain text of at most ${MAX_PURPOSE_LENGTH} characters.` };
  }
  return { purpose };
}
