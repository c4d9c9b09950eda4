import { Kind, type ConstDirectiveNode, type DirectiveNode, type DocumentNode, type FieldDefinitionNode } from 'graphql';
import type { Caller } from './caller.js';

/**
 * Who may read one field or type, as its SDL declares with Federation's authorization directives.
 * Each directive is an OR of AND groups (`[["a"], ["b", "c"]]`: a, or both b and c); several
 * directives on one element must all hold, as Apollo Router reads them.
 */
export interface AccessRule {
  /** `@authenticated`: some caller, whoever. */
  authenticated: boolean;
  /** Each `@requiresScopes(scopes:)`: the caller holds every scope of one group. */
  scopes: string[][][];
  /** Each `@policy(policies:)`: every policy of one group holds (see `policyHolds`). */
  policies: string[][][];
}

/** The rules of a schema: by field coordinate (`Citizen.trafficFines`) and by type (they apply to every field returning it). */
export interface AccessRules {
  fields: ReadonlyMap<string, AccessRule>;
  types: ReadonlyMap<string, AccessRule>;
}

/** Directive names as a supergraph prints them, and as a subgraph may (imported or `federation__`-prefixed). */
const DIRECTIVE_NAMES: Record<string, keyof AccessRule> = {
  authenticated: 'authenticated',
  federation__authenticated: 'authenticated',
  requiresScopes: 'scopes',
  federation__requiresScopes: 'scopes',
  policy: 'policies',
  federation__policy: 'policies',
};

function ruleOf(directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined): AccessRule | null {
  const rule: AccessRule = { authenticated: false, scopes: [], policies: [] };
  let found = false;
  for (const directive of directives ?? []) {
    const kind = DIRECTIVE_NAMES[directive.name.value];
    if (!kind) continue;
    found = true;
    if (kind === 'authenticated') {
      rule.authenticated = true;
      continue;
    }
    const argument = directive.arguments?.find(({ name }) => name.value === (kind === 'scopes' ? 'scopes' : 'policies'))?.value;
    const groups: string[][] = [];
    if (argument?.kind === Kind.LIST) {
      for (const group of argument.values) {
        if (group.kind !== Kind.LIST) continue;
        groups.push(group.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : [])));
      }
    }
    rule[kind].push(groups);
  }
  return found ? rule : null;
}

/** Several rules that must all hold, as one. */
export function combineRules(rules: readonly (AccessRule | null | undefined)[]): AccessRule | null {
  const present = rules.filter((rule): rule is AccessRule => Boolean(rule));
  if (present.length === 0) return null;
  return {
    authenticated: present.some((rule) => rule.authenticated),
    scopes: present.flatMap((rule) => rule.scopes),
    policies: present.flatMap((rule) => rule.policies),
  };
}

/** Every authorization directive of `document` (a subgraph's SDL or a supergraph), by field and by type. */
export function accessRulesOf(document: DocumentNode): AccessRules {
  const fields = new Map<string, AccessRule>();
  const types = new Map<string, AccessRule>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const typeRule = ruleOf(definition.directives);
    if (typeRule) types.set(typeName, combineRules([types.get(typeName), typeRule])!);
    const definedFields: readonly FieldDefinitionNode[] = 'fields' in definition && Array.isArray(definition.fields) ? (definition.fields as FieldDefinitionNode[]) : [];
    for (const field of definedFields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const rule = ruleOf(field.directives);
      const coordinate = `${typeName}.${field.name.value}`;
      if (rule) fields.set(coordinate, combineRules([fields.get(coordinate), rule])!);
    }
  }
  return { fields, types };
}

/**
 * The facts a subgraph knows about the record being read and the gateway does not: whose data it is
 * and which agency owns it. The gateway decides without them (see `policyHolds`).
 */
export interface RecordFacts {
  /** The citizen the data is about (their national id), or null when it is nobody's (a company's tax record). */
  subject: string | null;
  /** The agency that owns the data, for `official-of:owner`. */
  owner: string | null;
  /**
   * The case (application) the record is read for, and the agency handling it, for
   * `official-of:handler`: absent when the record is not read for a case.
   */
  case?: { id: string; agency: string };
}

/** The caller and what they said they read for. */
export interface Asking {
  caller: Caller | null;
  purpose: string | null;
}

/**
 * Ventanilla's policy vocabulary (README, "Access declared in the schema"):
 * - `data-subject`: a citizen reading their own records;
 * - `official-of:<AGENCY>`: an official of that agency, stating a purpose; `official-of:owner`, of
 *   the agency owning the record; `official-of:handler`, of the agency handling the case the record
 *   is read for, whose case number is the purpose (none need be stated);
 * - `service-with:<scope>`: an agency service holding that scope, stating a purpose.
 * Without `record` (the gateway, before any data is read) what depends on the record is granted, and
 * the subgraph decides it on its data. A policy outside the vocabulary never holds.
 */
export function policyHolds(policy: string, { caller, purpose }: Asking, record?: RecordFacts): boolean {
  if (!caller) return false;
  if (policy === 'data-subject') return caller.kind === 'citizen' && (!record || (record.subject !== null && record.subject === caller.id));
  const [name, argument] = splitPolicy(policy);
  if (name === 'official-of' && argument) {
    if (caller.kind !== 'official') return false;
    if (argument === 'handler') return !record || record.case?.agency === caller.agency;
    if (purpose === null) return false;
    if (argument !== 'owner') return caller.agency === argument;
    return !record || record.owner === caller.agency;
  }
  if (name === 'service-with' && argument) return caller.kind === 'service' && purpose !== null && caller.scopes.includes(argument);
  return false;
}

/**
 * The purpose a read is recorded with: the case number when an official of the agency handling the
 * case reads for it (what they work on is why they read), otherwise what the caller stated.
 */
export function recordedPurpose({ caller, purpose }: Asking, record: RecordFacts): string | null {
  if (caller?.kind === 'official' && record.case && record.case.agency === caller.agency) return record.case.id;
  return purpose;
}

/** Whether `policy` is in the vocabulary `policyHolds` knows. */
export function isKnownPolicy(policy: string): boolean {
  if (policy === 'data-subject') return true;
  const [name, argument] = splitPolicy(policy);
  return Boolean(argument) && (name === 'official-of' || name === 'service-with');
}

function splitPolicy(policy: string): [string, string | undefined] {
  const colon = policy.indexOf(':');
  return colon < 0 ? [policy, undefined] : [policy.slice(0, colon), policy.slice(colon + 1)];
}

export type AccessDecision = 'allowed' | 'unauthenticated' | 'forbidden';

/**
 * Whether `asking` may read what `rule` guards: any directive at all needs a caller (UNAUTHENTICATED
 * without one, FORBIDDEN for a caller who fails).
 */
export function decideAccess(rule: AccessRule | null, asking: Asking, record?: RecordFacts): AccessDecision {
  if (!rule) return 'allowed';
  if (!asking.caller) return 'unauthenticated';
  const scopes = asking.caller.scopes;
  const scopesHold = rule.scopes.every((groups) => groups.some((group) => group.every((scope) => scopes.includes(scope))));
  const policiesHold = rule.policies.every((groups) => groups.some((group) => group.every((policy) => policyHolds(policy, asking, record))));
  return scopesHold && policiesHold ? 'allowed' : 'forbidden';
}

/**
 * Whether `asking` may read what `rule` guards whatever the record: through a scope, a named agency or
 * a service, not by being its subject or owner. Only such a caller may learn that a record does not
 * exist; anyone else gets the same refusal for a missing record as for someone else's.
 */
export function allowedWhateverTheRecord(rule: AccessRule | null, asking: Asking): boolean {
  return decideAccess(rule, asking, { subject: null, owner: null }) === 'allowed';
}

/** The agency a rule names as owner (`official-of:<AGENCY>`), or null: where a read of the field is recorded. */
export function ownerNamedBy(rule: AccessRule | null): string | null {
  for (const groups of rule?.policies ?? []) {
    for (const group of groups) {
      for (const policy of group) {
        const [name, argument] = splitPolicy(policy);
        if (name === 'official-of' && argument && argument !== 'owner' && argument !== 'handler') return argument;
      }
    }
  }
  return null;
}
