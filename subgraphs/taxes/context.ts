import type { BaseContext } from '../shared/service.js';
import { createLoaders, type TaxesLoaders } from './loaders.js';
import type { TaxesStore } from './store.js';

/** What every taxes resolver receives: the caller and this request's loaders (only they read the store). */
export interface TaxesContext extends BaseContext {
  loaders: TaxesLoaders;
}

/** Adds fresh loaders to each request's base context (loaders never outlive a request). */
export function buildContext(store: TaxesStore): (base: BaseContext) => TaxesContext {
  return (base) => ({ ...base, loaders: createLoaders(store) });
}
