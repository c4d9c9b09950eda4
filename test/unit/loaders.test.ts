import { describe, expect, it } from 'vitest';
import { oneRowPerKey, rowsPerKey } from '../../subgraphs/shared/loaders.js';

const rows = [
  { dni: '45678912', n: 1 },
  { dni: '41234567', n: 2 },
  { dni: '45678912', n: 3 },
];

describe('oneRowPerKey', () => {
  it("answers in the keys' order, null for a key without a row, the same row for a repeated key", () => {
    const answer = oneRowPerKey(['41234567', '99999999', '41234567'], rows.slice(1, 2), (row) => row.dni);
    expect(answer).toEqual([{ dni: '41234567', n: 2 }, null, { dni: '41234567', n: 2 }]);
  });
});

describe('rowsPerKey', () => {
  it("answers in the keys' order, keeping the rows' order within a key, empty for a key without rows", () => {
    const answer = rowsPerKey(['99999999', '45678912', '41234567'], rows, (row) => row.dni);
    expect(answer.map((group) => group.map((row) => row.n))).toEqual([[], [1, 3], [2]]);
  });

  it('ignores rows of keys not asked for', () => {
    expect(rowsPerKey(['41234567'], rows, (row) => row.dni)).toEqual([[{ dni: '41234567', n: 2 }]]);
  });
});
