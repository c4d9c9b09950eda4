import type { BaseContext } from '../shared/service.js';
import { createLoaders, type TransportLoaders } from './loaders.js';
import type { TransportStore } from './store.js';

export interface TransportContext extends BaseContext {
  loaders: TransportLoaders;
}

/** Adds fresh loaders to each request's base context: loaders never outlive a request, and only they read the store. */
export function buildContext(store: TransportStore): (base: BaseContext) => TransportContext {
  return (base) => ({ ...base, loaders: createLoaders(store, base.today) });
}
