import { badUserInput } from '../../../lib/errors.js';
import type { TransportContext } from '../context.js';
import { normalisePlate } from '../plate.js';

/**
 * The vehicle with plate `input` however it was typed; null when none is registered. Async so that, in
 * `_entities`, a malformed plate fails its own entity only.
 */
export async function vehicleByPlate(input: unknown, context: TransportContext) {
  const plate = typeof input === 'string' ? normalisePlate(input) : null;
  if (!plate) {
    throw badUserInput(`"${String(input)}" is not a plate: expected e.g. A1B-234 (or AB-1234 for pre-2010 plates).`, 'plate');
  }
  return context.loaders.vehicleByPlate.load(plate);
}

// Every Vehicle field is public registry data (like SUNARP's free lookup) and the owner is not among them,
// so no field needs a guard.
export const Vehicle = {
  __resolveReference(reference: { plate?: unknown }, context: TransportContext) {
    return vehicleByPlate(reference.plate, context);
  },
};
