import type { BaseContext } from '../shared/service.js';
import { createLoaders, type TaxesLoaders } from './loaders.js';
import type { TaxesStore } from './store.js';

/** What every taxes resolver receives: the caller, the store, and this request's loaders. */
export interface TaxesContext extends BaseContext {
  store: TaxesStore;
  loaders: TaxesLoaders;
}

/** Adds the store and fresh loaders to each request's base context (loaders never outlive a request). */
export function buildContext(store: TaxesStore): (base: BaseContext) => TaxesContext {
  return (base) => ({ ...base, store, loaders: createLoaders(store) });
}
