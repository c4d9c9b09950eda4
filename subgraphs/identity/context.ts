import type { BaseContext } from '../shared/service.js';
import { createLoaders, type IdentityLoaders } from './loaders.js';
import type { IdentityStore } from './store.js';

export interface IdentityContext extends BaseContext {
  store: IdentityStore;
  loaders: IdentityLoaders;
}

/** Adds the store and fresh loaders to each request's base context: loaders never outlive a request. */
export function buildContext(store: IdentityStore): (base: BaseContext) => IdentityContext {
  return (base) => ({ ...base, store, loaders: createLoaders(store) });
}
