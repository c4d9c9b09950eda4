import type { PortalContext } from '../context.js';
import { assertString } from '../guards.js';

export const Agency = {
  // Async so that a malformed code rejects its own entity: a synchronous throw would fail the whole `_entities`.
  async __resolveReference({ code }: { code: unknown }, { loaders }: PortalContext) {
    assertString(code, 'code');
    return loaders.agency.load(code);
  },
};
