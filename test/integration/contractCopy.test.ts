import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ACCOUNTABILITY_URL, CONTRACT_SOURCE, PUBLISHED_ACCOUNTABILITY_URL, PUBLISHED_CONTRACT_URL } from './support.js';

// Only where the published contract is beside the repository (developers' machines, CI); a lone clone
// tests against its copy and says so by skipping this.
it.runIf(existsSync(PUBLISHED_CONTRACT_URL))('tests the portal contract as published, not an old copy of it', () => {
  expect(CONTRACT_SOURCE, 'contract/portal.graphql differs from ../shared/contract/portal.graphql: copy it again').toBe(
    readFileSync(PUBLISHED_CONTRACT_URL, 'utf8'),
  );
});

it.runIf(existsSync(PUBLISHED_ACCOUNTABILITY_URL))('tests the accountability contract as published, not an old copy of it', () => {
  expect(readFileSync(ACCOUNTABILITY_URL, 'utf8'), 'contract/accountability.graphql differs from ../shared/contract/accountability.graphql: copy it again').toBe(
    readFileSync(PUBLISHED_ACCOUNTABILITY_URL, 'utf8'),
  );
});
