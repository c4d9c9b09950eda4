import { answerChecks, resolveProcedureReference, type ProcedureReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TransportContext } from '../context.js';
import { medicalExamVerdict, revalidableVerdict, unpaidFinesVerdict, vehicleOwnerVerdict } from '../requirements.js';

export const Procedure = {
  __resolveReference: resolveProcedureReference,

  /** The requirements transport answers, each loading only the records it needs. */
  transportChecks(procedure: ProcedureReference, _args: unknown, { viewer, loaders, today }: TransportContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure.requirementCodes, viewer?.dni, {
      'no-unpaid-fines': async (dni) => unpaidFinesVerdict(await loaders.finesByDni.load(dni)),
      'medical-exam-approved': async (dni) => medicalExamVerdict(await loaders.latestMedicalExamByDni.load(dni), today),
      'licence-revalidable': async (dni) => revalidableVerdict(await loaders.licenceByDni.load(dni), today),
      'vehicle-owner': async (dni) => vehicleOwnerVerdict(await loaders.vehiclesByOwner.load(dni)),
    });
  },
};
