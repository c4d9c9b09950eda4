import type { ApplicationStatus } from './store.js';
import type { ChannelKind } from './catalogue.js';

/**
 * The lifecycle of an application (domain.md §7): SUBMITTED → IN_REVIEW → (ACTION_REQUIRED ⇄
 * IN_REVIEW) → APPROVED or REJECTED; APPROVED → READY_FOR_PICKUP (in person) or COMPLETED (online);
 * READY_FOR_PICKUP → COMPLETED. The citizen may cancel before a decision.
 */
const OFFICIALS_MOVES: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  SUBMITTED: ['IN_REVIEW'],
  IN_REVIEW: ['ACTION_REQUIRED', 'APPROVED', 'REJECTED'],
  ACTION_REQUIRED: ['IN_REVIEW'],
  APPROVED: ['READY_FOR_PICKUP', 'COMPLETED'],
  READY_FOR_PICKUP: ['COMPLETED'],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** Before a decision: what a citizen may still cancel, and what can be overdue. */
export const UNDECIDED: ReadonlySet<ApplicationStatus> = new Set(['SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED']);

/** How each status reads in a Spanish sentence. */
export const STATUS_WORDS: Readonly<Record<ApplicationStatus, string>> = {
  SUBMITTED: 'presentada',
  IN_REVIEW: 'en evaluación',
  ACTION_REQUIRED: 'con acción pendiente del ciudadano',
  APPROVED: 'aprobada',
  READY_FOR_PICKUP: 'lista para recoger',
  COMPLETED: 'concluida',
  REJECTED: 'denegada',
  CANCELLED: 'cancelada',
};

/** Why an official may not make this move, in Spanish; null when the lifecycle allows it. */
export function refusedMove(from: ApplicationStatus, to: ApplicationStatus, channel: ChannelKind): string | null {
  if (!OFFICIALS_MOVES[from].includes(to)) {
    const allowed = OFFICIALS_MOVES[from];
    return allowed.length === 0
      ? `La solicitud está ${STATUS_WORDS[from]}: ya no cambia de estado.`
      : `Una solicitud ${STATUS_WORDS[from]} no puede pasar a ${to}: solo a ${allowed.join(' o ')}.`;
  }
  // What is delivered online is completed when approved; only an in-person one waits to be picked up.
  if (to === 'READY_FOR_PICKUP' && channel !== 'IN_PERSON') return 'Solo una solicitud presencial queda lista para recoger: una en línea pasa a COMPLETED.';
  return null;
}

/** What the citizen has to do next once the application is `status`, in Spanish; null when nothing. */
export function nextStepAfter(status: ApplicationStatus, where: { agency: string; office: string | null }): string | null {
  switch (status) {
    case 'IN_REVIEW':
      return `${where.agency} está evaluando tu solicitud. Te avisaremos si necesitas hacer algo.`;
    case 'ACTION_REQUIRED':
      return `${where.agency} necesita algo de ti: lee la última nota de tu solicitud.`;
    case 'APPROVED':
      return 'Tu solicitud fue aprobada.';
    case 'READY_FOR_PICKUP':
      return where.office ? `Recógelo en ${where.office}. Lleva tu DNI.` : 'Recógelo en la oficina que elegiste. Lleva tu DNI.';
    case 'REJECTED':
      return 'Tu solicitud fue denegada: la razón está en su última nota.';
    default:
      return null;
  }
}
