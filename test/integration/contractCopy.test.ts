import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// Only where the published contracts are beside the repository (developers' machines, CI); a lone clone
// tests against its copies and says so by skipping these.
for (const file of ['portal.graphql', 'accountability.graphql', 'desk.graphql']) {
  const copy = new URL(`../../contract/${file}`, import.meta.url);
  const published = new URL(`../../../shared/contract/${file}`, import.meta.url);
  it.runIf(existsSync(published))(`tests the ${file} contract as published, not an old copy of it`, () => {
    expect(readFileSync(copy, 'utf8'), `contract/${file} differs from ../shared/contract/${file}: copy it again`).toBe(readFileSync(published, 'utf8'));
  });
}
