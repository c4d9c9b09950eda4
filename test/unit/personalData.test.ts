import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { guardPersonalData } from '../../subgraphs/shared/personalData.js';

/** The guard refuses to build a subgraph whose personal data it could not all guard: a new field cannot forget. */
const sdl = (citizenFields: string) =>
  parse(`
    type Citizen @key(fields: "dni") { dni: ID! ${citizenFields} }
    type Query { citizen(dni: ID!): Citizen }
  `);
const policy = { owner: 'MTC', records: { Citizen: { facts: (citizen: { dni: string }) => ({ subject: citizen.dni, owner: null }) } } };

describe('guardPersonalData', () => {
  it('builds when every field of a record type says who may read it (its key excepted)', () => {
    expect(() => guardPersonalData('transport', sdl('fines: [String!]! @policy(policies: [["data-subject"]])'), {}, policy)).not.toThrow();
  });

  it('refuses a field of a record type that says nothing', () => {
    expect(() => guardPersonalData('transport', sdl('fines: [String!]! @policy(policies: [["data-subject"]]) points: Int'), {}, policy)).toThrow(
      'Citizen.points says nothing about who may read it: every field of a Citizen needs @policy (or the type does)',
    );
  });

  it('refuses a rule on a type it does not know whose records are', () => {
    const typeDefs = parse('type Query { x: Secret } type Secret { value: String @policy(policies: [["data-subject"]]) }');
    expect(() => guardPersonalData('transport', typeDefs, {}, policy)).toThrow("Secret.value has an access rule, but Secret is not one of the transport subgraph's record types");
  });

  it('refuses a rule on an enum or a scalar, which it could not apply', () => {
    const typeDefs = parse('type Query { x: Level } enum Level @policy(policies: [["data-subject"]]) { LOW HIGH }');
    expect(() => guardPersonalData('transport', typeDefs, {}, policy)).toThrow('Level has an access rule, but the guard knows rules on object types and their fields only');
  });

  it('refuses a record type the schema does not define', () => {
    expect(() => guardPersonalData('transport', sdl(''), {}, { ...policy, records: { ...policy.records, Ghost: policy.records.Citizen } })).toThrow(
      'Ghost is named a record type but the transport subgraph defines no such type',
    );
  });
});
