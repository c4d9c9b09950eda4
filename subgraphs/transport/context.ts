import { todayInPeru } from '../shared/calendar.js';
import { isoDate } from '../shared/seeding.js';
import type { BaseContext } from '../shared/service.js';
import { createLoaders, type TransportLoaders } from './loaders.js';
import type { TransportStore } from './store.js';

export interface TransportContext extends BaseContext {
  loaders: TransportLoaders;
  /** The day in Peru (YYYY-MM-DD) statuses and requirements are judged on. */
  today: string;
}

/** Adds `today` and fresh loaders to each request's base context: only the loaders read the store. */
export function buildContext(store: TransportStore) {
  return (base: BaseContext): TransportContext => {
    // Fixed once per request, so that every field of one response agrees on what "expired" means.
    const today = isoDate(todayInPeru());
    return { ...base, today, loaders: createLoaders(store, today) };
  };
}
