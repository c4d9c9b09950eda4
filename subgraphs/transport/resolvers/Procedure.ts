import { answerChecks, type Checks, resolveProcedureReference, type ProcedureReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TransportContext } from '../context.js';
import { medicalExamVerdict, revalidableVerdict, unpaidFinesVerdict, vehicleOwnerVerdict } from '../requirements.js';

/** The requirements transport answers, each loading only the records it needs, each read on its owner's record. */
export function transportChecksFor(context: TransportContext) {
  const { loaders, today } = context;
  return {
    'no-unpaid-fines': { agency: 'SAT', reads: ['Citizen.trafficFines'], decide: async (dni) => unpaidFinesVerdict(await loaders.finesByDni.load(dni)) },
    'medical-exam-approved': {
      agency: 'MTC',
      reads: ['Citizen.medicalExam'],
      decide: async (dni) => medicalExamVerdict(await loaders.latestMedicalExamByDni.load(dni), today),
    },
    'licence-revalidable': {
      agency: 'MTC',
      reads: ['Citizen.drivingLicence'],
      decide: async (dni) => revalidableVerdict(await loaders.licenceByDni.load(dni), today),
    },
    'vehicle-owner': { agency: 'SUNARP', reads: ['Citizen.vehicles'], decide: async (dni) => vehicleOwnerVerdict(await loaders.vehiclesByOwner.load(dni)) },
  } satisfies Checks<string>;
}

export const Procedure = {
  __resolveReference: resolveProcedureReference,

  /** The requirements transport answers, each loading only the records it needs, each read on its owner's record. */
  transportChecks(procedure: ProcedureReference, _args: unknown, context: TransportContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure, context, transportChecksFor(context));
  },
};
