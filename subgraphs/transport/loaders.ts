import DataLoader from 'dataloader';
import { statusOn } from '../shared/calendar.js';
import { oneRowPerKey, rowsPerKey } from '../shared/loaders.js';
import type { LicenceRow, MedicalExamRow, TrafficFineRow, TransportStore, VehicleRow } from './store.js';

export type LicenceStatus = LicenceRow['status'] | 'EXPIRED';

/** A licence as the citizen sees it: its status as of the request's day. */
export interface DrivingLicence extends Omit<LicenceRow, 'status'> {
  status: LicenceStatus;
}

/** Per-request memo of transport records: N citizens' records cost one statement per table. */
export interface TransportLoaders {
  licenceByDni: DataLoader<string, DrivingLicence | null>;
  latestMedicalExamByDni: DataLoader<string, MedicalExamRow | null>;
  /** Newest first. */
  finesByDni: DataLoader<string, TrafficFineRow[]>;
  vehiclesByOwner: DataLoader<string, VehicleRow[]>;
  /** Keys are normalised plates. */
  vehicleByPlate: DataLoader<string, VehicleRow | null>;
}

/** `today` (YYYY-MM-DD) is fixed for the request, so every field of one response agrees on it. */
export function createLoaders(store: TransportStore, today: string): TransportLoaders {
  return {
    licenceByDni: new DataLoader(async (dnis) => {
      const licences = oneRowPerKey(dnis, await store.licencesByDni(dnis), (row) => row.dni);
      return licences.map((licence) => licence && { ...licence, status: statusOn(licence.status, licence.expiresOn, today) });
    }),
    latestMedicalExamByDni: new DataLoader(async (dnis) =>
      oneRowPerKey(dnis, await store.latestMedicalExamsByDni(dnis), (row) => row.dni),
    ),
    finesByDni: new DataLoader(async (dnis) => rowsPerKey(dnis, await store.finesByDni(dnis), (row) => row.dni)),
    vehiclesByOwner: new DataLoader(async (dnis) =>
      rowsPerKey(dnis, await store.vehiclesByOwner(dnis), (row) => row.ownerDni),
    ),
    vehicleByPlate: new DataLoader(async (plates) =>
      oneRowPerKey(plates, await store.vehiclesByPlate(plates), (row) => row.plate),
    ),
  };
}
