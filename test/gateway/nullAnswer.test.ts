import { describe, expect, it } from 'vitest';
import { nullAnswer } from '../../gateway/nullAnswer.js';

describe('nullAnswer: what a dead subgraph "answers" to a fetch of the query plan', () => {
  it('nulls every root field, under its alias', () => {
    expect(nullAnswer('{ petCount total: petCount __typename }', undefined)).toEqual({ petCount: null, total: null, __typename: 'Query' });
    expect(nullAnswer('mutation { adopt(id: 1) { id } }', undefined)).toEqual({ adopt: null });
  });

  it('answers one entity per representation, of its own type, with the fields asked for that type', () => {
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        __typename
        ... on Procedure { transportChecks { code status } checks: identityChecks { code } }
        ... on Citizen { ...CitizenFields }
      }
    }
    fragment CitizenFields on Citizen { drivingLicence { number } vehicles { plate } }`;
    const representations = [
      { __typename: 'Procedure', slug: 'renovar-dni', requirementCodes: ['dni-valid'] },
      { __typename: 'Citizen', dni: '41234567' },
    ];
    expect(nullAnswer(query, { representations })).toEqual({
      _entities: [
        { __typename: 'Procedure', transportChecks: null, checks: null },
        { __typename: 'Citizen', drivingLicence: null, vehicles: null },
      ],
    });
  });

  it('answers no entity when there are no representations', () => {
    expect(nullAnswer('query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { dni } } }', {})).toEqual({
      _entities: [],
    });
  });
});
