import { mayRead, type Viewer } from '../shared/auth.js';
import { forbidden } from '../../lib/errors.js';
import { dniInRuc } from './ruc.js';
import type { TaxpayerRow } from './store.js';

/** The scope an agency's token needs to read any citizen's tax records. */
export const TAXES_READ = 'taxes:read';

/**
 * Throws FORBIDDEN unless `viewer` may see RUC `ruc`. The owner of an unregistered "10" RUC is the DNI
 * in its body, so asking for someone else's RUC is forbidden whether or not it exists: nobody can probe
 * who is registered. RUCs without an owning citizen (legal entities) are for agencies only.
 */
export function assertMayReadTaxpayer(viewer: Viewer | null, ruc: string, taxpayer: TaxpayerRow | null): void {
  const owner = taxpayer ? taxpayer.dni : dniInRuc(ruc);
  const allowed = owner === null ? Boolean(viewer?.scopes.includes(TAXES_READ)) : mayRead(viewer, owner, TAXES_READ);
  if (!allowed) throw forbidden("You may not see this taxpayer's records.");
}
