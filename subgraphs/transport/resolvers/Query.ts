import type { TransportContext } from '../context.js';
import { vehicleByPlate } from './Vehicle.js';

export const Query = {
  vehicle(_root: unknown, args: { plate: string }, context: TransportContext) {
    return vehicleByPlate(args.plate, context);
  },
};
