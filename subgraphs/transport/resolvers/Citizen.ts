import { assertMayRead } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import type { TransportContext } from '../context.js';
import type { FineStatus } from '../store.js';

/** The scope an agency's token needs to read any citizen's transport records. */
export const TRANSPORT_READ = 'transport:read';

/** A citizen as this subgraph knows them: only the key; every record is loaded per field. */
export interface CitizenReference {
  dni: string;
}

/**
 * The citizen's DNI once the viewer may read their transport records. Checked per field rather than in
 * `__resolveReference`, so that `_entities` calls and any future root field are guarded alike.
 */
function readableDni(citizen: CitizenReference, context: TransportContext): string {
  assertMayRead(context.viewer, citizen.dni, TRANSPORT_READ);
  return citizen.dni;
}

export const Citizen = {
  // Transport knows no list of citizens: someone without records simply has none, so any valid DNI resolves.
  // Async so that a bad representation rejects alone: a synchronous throw would fail the whole `_entities`.
  async __resolveReference(reference: { dni?: unknown }): Promise<CitizenReference> {
    return { dni: parseDni(reference.dni) };
  },

  drivingLicence(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.licenceByDni.load(readableDni(citizen, context));
  },

  async trafficFines(citizen: CitizenReference, args: { status?: FineStatus | null }, context: TransportContext) {
    // All of a citizen's fines are loaded at once: the filter is applied here so the batch stays one statement.
    const fines = await context.loaders.finesByDni.load(readableDni(citizen, context));
    return args.status ? fines.filter((fine) => fine.status === args.status) : fines;
  },

  vehicles(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.vehiclesByOwner.load(readableDni(citizen, context));
  },

  medicalExam(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.latestMedicalExamByDni.load(readableDni(citizen, context));
  },
};
