import type { PortalContext } from '../context.js';
import { assertString } from '../guards.js';

export const Agency = {
  __resolveReference({ code }: { code: unknown }, { loaders }: PortalContext) {
    assertString(code, 'code');
    return loaders.agency.load(code);
  },
};
