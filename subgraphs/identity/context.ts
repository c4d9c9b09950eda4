import type { BaseContext } from '../shared/service.js';
import { createLoaders, type IdentityLoaders } from './loaders.js';
import type { IdentityStore } from './store.js';

export interface IdentityContext extends BaseContext {
  loaders: IdentityLoaders;
}

/** Adds fresh loaders to each request's base context: loaders never outlive a request, and only they read the store. */
export function buildContext(store: IdentityStore): (base: BaseContext) => IdentityContext {
  return (base) => ({ ...base, loaders: createLoaders(store, base.today) });
}
