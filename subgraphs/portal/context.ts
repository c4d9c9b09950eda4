import type { BaseContext } from '../shared/service.js';
import { createLoaders, type PortalLoaders } from './loaders.js';
import type { PortalStore } from './store.js';

export interface PortalContext extends BaseContext {
  store: PortalStore;
  loaders: PortalLoaders;
}

/** Adds the store and fresh loaders to each request's base context: loaders never outlive a request. */
export function buildContext(store: PortalStore): (base: BaseContext) => PortalContext {
  return (base) => ({ ...base, store, loaders: createLoaders(store) });
}
