import { parseDni } from '../../shared/dni.js';
import type { TransportContext } from '../context.js';
import type { FineStatus } from '../store.js';

/** A citizen as this subgraph knows them: only the key; every record is loaded per field. */
export interface CitizenReference {
  dni: string;
}

// Who may read each field is the schema's to say (@policy) and the guard's to check (see createSubgraph.ts).
export const Citizen = {
  // Transport knows no list of citizens: someone without records simply has none, so any valid DNI resolves.
  // Async so that a bad representation rejects alone: a synchronous throw would fail the whole `_entities`.
  async __resolveReference(reference: { dni?: unknown }): Promise<CitizenReference> {
    return { dni: parseDni(reference.dni) };
  },

  drivingLicence(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.licenceByDni.load(citizen.dni);
  },

  async trafficFines(citizen: CitizenReference, args: { status?: FineStatus | null }, context: TransportContext) {
    // All of a citizen's fines are loaded at once: the filter is applied here so the batch stays one statement.
    const fines = await context.loaders.finesByDni.load(citizen.dni);
    return args.status ? fines.filter((fine) => fine.status === args.status) : fines;
  },

  vehicles(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.vehiclesByOwner.load(citizen.dni);
  },

  medicalExam(citizen: CitizenReference, _args: unknown, context: TransportContext) {
    return context.loaders.latestMedicalExamByDni.load(citizen.dni);
  },
};
