/**
 * The catalogue the portal publishes: agencies, offices, the twelve procedures of the domain brief plus a
 * SUNAT refund (so that a procedure asks for no-tax-debt), and the status checks their requirements name. It is data, written to the database by `seed.ts`; the
 * resolvers read it from there, never from this module (except `STATUS_CHECKS`, see below).
 *
 * Sources: fees, payment codes and legal bases follow the domain brief (§3, with its "as of" years); agency
 * RUCs are the published ones (each passes SUNAT's check digit). Office addresses, hours and
 * coordinates are illustrative.
 */

/** Which subgraph answers a status check, through its `<name>Checks` field on Procedure. */
export type AnsweringSubgraph = 'identity' | 'transport' | 'taxes';

export interface StatusCheckEntry {
  /** The subgraph holding the fact, which the planner asks for the verdict. */
  answeredBy: AnsweringSubgraph;
  /** The agency that owns the fact, shown as `Requirement.agency`. */
  agencyCode: string;
  description: string;
  /**
   * What a NOT_MET verdict does to a new application: SETTLE, something the citizen can put right (a
   * payment, a procedure of their own), so the application starts ACTION_REQUIRED with it listed;
   * REFUSE, a fact no step of theirs changes now, so nothing is created and they are told why.
   */
  whenNotMet: 'SETTLE' | 'REFUSE';
}

/**
 * Every status check a requirement may name: who answers it, who owns the fact, and what its NOT_MET
 * does to a new application (`intake.ts`). The one place that maps a requirement code to the subgraph
 * answering it (`requirements.ts` routes verdicts with it).
 */
export const STATUS_CHECKS = {
  'dni-valid': {
    answeredBy: 'identity',
    agencyCode: 'RENIEC',
    description: 'A valid DNI: not expired and not cancelled.',
    // Expired or cancelled: renovar-dni or duplicado-de-dni gives a valid one, and the application waits for it.
    whenNotMet: 'SETTLE',
  },
  'dni-renewable': {
    answeredBy: 'identity',
    agencyCode: 'RENIEC',
    description: 'Your DNI expires within 60 days, or has already expired.',
    // Not yet within 60 days of expiry: only the calendar changes that, so a renewal now would be for nothing.
    whenNotMet: 'REFUSE',
  },
  'birth-record-digitised': {
    answeredBy: 'identity',
    agencyCode: 'RENIEC',
    description: "Your birth record is digitised in RENIEC's civil registry.",
    // RENIEC digitises records, not the citizen; a paper-only record is copied at an office, outside this intake.
    whenNotMet: 'REFUSE',
  },
  'no-unpaid-fines': {
    answeredBy: 'transport',
    agencyCode: 'SAT',
    description: 'No unpaid traffic fines (papeletas), nor any in coactive collection.',
    // Paying the fines (pagar-papeletas) settles it.
    whenNotMet: 'SETTLE',
  },
  'medical-exam-approved': {
    answeredBy: 'transport',
    agencyCode: 'MTC',
    description: 'An approved medical exam from an MTC-authorised centre, still valid.',
    // A new exam at an authorised centre settles it; it reaches the Sistema Nacional de Conductores in days.
    whenNotMet: 'SETTLE',
  },
  'licence-revalidable': {
    answeredBy: 'transport',
    agencyCode: 'MTC',
    description: 'A driving licence that has expired or expires within 60 days, and is not suspended or cancelled.',
    // No licence, a suspended or cancelled one, or one not yet within the window: nothing to revalidate now.
    whenNotMet: 'REFUSE',
  },
  'vehicle-owner': {
    answeredBy: 'transport',
    agencyCode: 'SUNARP',
    description: 'A vehicle registered in your name.',
    // The card is the owner's: someone else's vehicle stays someone else's.
    whenNotMet: 'REFUSE',
  },
  'no-tax-debt': {
    answeredBy: 'taxes',
    agencyCode: 'SUNAT',
    description: 'No tax debt pending or in coactive collection.',
    // Paying the debt settles it.
    whenNotMet: 'SETTLE',
  },
  'ruc-not-registered': {
    answeredBy: 'taxes',
    agencyCode: 'SUNAT',
    description: 'You have no RUC yet.',
    // A person has one RUC for life: whoever holds one cannot register again.
    whenNotMet: 'REFUSE',
  },
  'ruc-active': {
    answeredBy: 'taxes',
    agencyCode: 'SUNAT',
    description: 'An active RUC.',
    // No RUC yet, or a suspended or deregistered one: registering or reactivating it with SUNAT settles it.
    whenNotMet: 'SETTLE',
  },
} as const satisfies Record<string, StatusCheckEntry>;

export type StatusCheckCode = keyof typeof STATUS_CHECKS;

export interface AgencyEntry {
  code: string;
  name: string;
  ruc: string;
  website: string;
}

export interface OfficeEntry {
  id: string;
  /** Null for MAC centres: the PCM runs them and they host several agencies. */
  agencyCode: string | null;
  name: string;
  address: string;
  district: string;
  hours: string;
  latitude: number;
  longitude: number;
}

export type ApprovalKind = 'AUTOMATIC' | 'EVALUATION_POSITIVE_SILENCE' | 'EVALUATION_NEGATIVE_SILENCE';
export type ChannelKind = 'ONLINE' | 'IN_PERSON';

/** A requirement as a procedure lists it: a status check by code, or a document to bring. */
export type RequirementEntry =
  | { kind: 'STATUS_CHECK'; code: StatusCheckCode }
  | { kind: 'DOCUMENT'; code: string; description: string };

export interface ChannelEntry {
  kind: ChannelKind;
  url: string | null;
  appointmentRequired: boolean;
  officeIds: string[];
}

export interface ProcedureEntry {
  slug: string;
  agencyCode: string;
  title: string;
  summary: string;
  description: string;
  fee: {
    /** Two decimals, "0.00" when free. */
    amount: string;
    uitPercent: string | null;
    /** The first day the amount applied (fees change every year). */
    asOf: string;
    paymentCode: string | null;
  };
  processingDays: number;
  approval: ApprovalKind;
  legalBasis: string[];
  requirements: RequirementEntry[];
  channels: ChannelEntry[];
  /** A lookup the citizen does on the agency's own channel: nothing to apply for. */
  informationOnly?: true;
}

export const AGENCIES: readonly AgencyEntry[] = [
  { code: 'RENIEC', name: 'Registro Nacional de Identificación y Estado Civil', ruc: '20295613620', website: 'https://www.gob.pe/reniec' },
  { code: 'MTC', name: 'Ministerio de Transportes y Comunicaciones', ruc: '20131379944', website: 'https://www.gob.pe/mtc' },
  { code: 'SAT', name: 'Servicio de Administración Tributaria de Lima', ruc: '20337101276', website: 'https://www.sat.gob.pe' },
  { code: 'SUNARP', name: 'Superintendencia Nacional de los Registros Públicos', ruc: '20267073580', website: 'https://www.gob.pe/sunarp' },
  { code: 'MIGRACIONES', name: 'Superintendencia Nacional de Migraciones', ruc: '20551239692', website: 'https://www.gob.pe/migraciones' },
  { code: 'SUNAT', name: 'Superintendencia Nacional de Aduanas y de Administración Tributaria', ruc: '20131312955', website: 'https://www.gob.pe/sunat' },
  // The platform's own: it runs the portal and the MAC centres, and keeps the record of reads of applications.
  { code: 'PCM', name: 'Presidencia del Consejo de Ministros', ruc: '20168999926', website: 'https://www.gob.pe/pcm' },
];

// In Spanish: they are read inside the next step of an application ("Recoge ... en ..., <horario>").
const MAC_HOURS = 'de lunes a viernes de 9:00 a 20:00 y los sábados de 9:00 a 13:00';
const AGENCY_HOURS = 'de lunes a viernes de 8:30 a 16:30';

export const OFFICES: readonly OfficeEntry[] = [
  { id: 'mac-lima-norte', agencyCode: null, name: 'MAC Lima Norte', address: 'Av. Alfredo Mendiola 1400, C.C. Plaza Norte', district: 'Independencia, Lima', hours: MAC_HOURS, latitude: -12.0067, longitude: -77.0593 },
  { id: 'mac-lima-este', agencyCode: null, name: 'MAC Lima Este', address: 'Carretera Central 1500, C.C. Real Plaza Puruchuco', district: 'Ate, Lima', hours: MAC_HOURS, latitude: -12.0386, longitude: -76.9334 },
  { id: 'mac-callao', agencyCode: null, name: 'MAC Callao', address: 'Av. Argentina 3093, C.C. Minka', district: 'Callao, Callao', hours: MAC_HOURS, latitude: -12.0497, longitude: -77.1086 },
  { id: 'reniec-lima-centro', agencyCode: 'RENIEC', name: 'RENIEC Agencia Lima Centro', address: 'Jr. Bolivia 109', district: 'Cercado de Lima, Lima', hours: AGENCY_HOURS, latitude: -12.0581, longitude: -77.0389 },
  { id: 'mtc-lima-centro', agencyCode: 'MTC', name: 'MTC Centro de Emisión de Licencias Lima', address: 'Jr. Zorritos 1203', district: 'Cercado de Lima, Lima', hours: AGENCY_HOURS, latitude: -12.0546, longitude: -77.047 },
  { id: 'sat-lima-centro', agencyCode: 'SAT', name: 'SAT Agencia Cercado', address: 'Jr. Camaná 370', district: 'Cercado de Lima, Lima', hours: AGENCY_HOURS, latitude: -12.0464, longitude: -77.0335 },
  { id: 'sunarp-lima', agencyCode: 'SUNARP', name: 'SUNARP Oficina Registral de Lima', address: 'Av. Edgardo Rebagliati 561', district: 'Jesús María, Lima', hours: AGENCY_HOURS, latitude: -12.0757, longitude: -77.0452 },
  { id: 'migraciones-brena', agencyCode: 'MIGRACIONES', name: 'Migraciones Sede Central', address: 'Av. España 734', district: 'Breña, Lima', hours: AGENCY_HOURS, latitude: -12.0573, longitude: -77.0491 },
  { id: 'sunat-lima-centro', agencyCode: 'SUNAT', name: 'SUNAT Centro de Servicios al Contribuyente Lima', address: 'Av. Garcilaso de la Vega 1472', district: 'Cercado de Lima, Lima', hours: AGENCY_HOURS, latitude: -12.0622, longitude: -77.0379 },
];

const FREE = { amount: '0.00', uitPercent: null, asOf: '2025-01-01', paymentCode: null };

export const PROCEDURES: readonly ProcedureEntry[] = [
  {
    slug: 'revalidar-licencia-de-conducir',
    agencyCode: 'MTC',
    title: 'Revalidar licencia de conducir',
    summary: 'Revalidación: renew a class A-I driving licence that has expired or is about to expire.',
    description:
      'For Lima and Callao (elsewhere, the regional DRTC). You need a valid DNI, an approved medical exam registered in the Sistema Nacional de Conductores, and no unpaid traffic fines; the licence must not be suspended or cancelled. Classes above A-I also need the traffic-rules exam.',
    fee: { amount: '6.80', uitPercent: null, asOf: '2021-01-01', paymentCode: '1601' },
    processingDays: 1,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Supremo 007-2016-MTC, Reglamento Nacional del Sistema de Emisión de Licencias de Conducir'],
    requirements: [
      { kind: 'STATUS_CHECK', code: 'dni-valid' },
      { kind: 'STATUS_CHECK', code: 'licence-revalidable' },
      { kind: 'STATUS_CHECK', code: 'medical-exam-approved' },
      { kind: 'STATUS_CHECK', code: 'no-unpaid-fines' },
    ],
    channels: [
      { kind: 'ONLINE', url: 'https://licencias.mtc.gob.pe', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: true, officeIds: ['mtc-lima-centro', 'mac-lima-norte', 'mac-callao'] },
    ],
  },
  {
    slug: 'renovar-dni',
    agencyCode: 'RENIEC',
    title: 'Renovar DNI',
    summary: 'Renovación del DNI: get a new DNI when yours expires within 60 days or has expired.',
    description:
      'Your photo is captured live, online with the DNI BioFacial app or at the agency. Minors come with a parent. Pick up the new DNI at the agency you choose.',
    fee: { amount: '30.00', uitPercent: null, asOf: '2025-01-01', paymentCode: '02121' },
    processingDays: 7,
    approval: 'AUTOMATIC',
    legalBasis: ['Ley 26497, Ley Orgánica del RENIEC', 'Decreto Supremo 015-98-PCM, Reglamento de Inscripciones del RENIEC'],
    requirements: [{ kind: 'STATUS_CHECK', code: 'dni-renewable' }],
    channels: [
      { kind: 'ONLINE', url: 'https://www.gob.pe/reniec', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['reniec-lima-centro', 'mac-lima-norte', 'mac-lima-este', 'mac-callao'] },
    ],
  },
  {
    slug: 'duplicado-de-dni',
    agencyCode: 'RENIEC',
    title: 'Duplicado de DNI',
    summary: 'Duplicado: replace a lost, stolen or damaged DNI with the same data and expiry date.',
    description:
      'The duplicate keeps the original expiry date, so an expired DNI is renewed instead (renovar-dni). It is blocked while your marital status is not up to date in the registry.',
    // Paid by card inside RENIEC's online flow: there is no código de tributo to quote.
    fee: { amount: '21.00', uitPercent: null, asOf: '2025-01-01', paymentCode: null },
    processingDays: 2,
    approval: 'AUTOMATIC',
    legalBasis: ['Ley 26497, Ley Orgánica del RENIEC'],
    // No status check: dni-valid would refuse the very people a duplicate is for (a DNI reported lost
    // is CANCELLED, and identity then sends them here), and none of identity's codes means "not expired".
    requirements: [
      { kind: 'DOCUMENT', code: 'police-report', description: 'If your DNI was stolen: the police report (denuncia policial). Optional.' },
    ],
    channels: [
      { kind: 'ONLINE', url: 'https://www.gob.pe/reniec', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['reniec-lima-centro', 'mac-lima-norte', 'mac-lima-este', 'mac-callao'] },
    ],
  },
  {
    slug: 'pagar-papeletas',
    agencyCode: 'SAT',
    title: 'Consultar y pagar papeletas',
    summary: 'Look up and pay traffic fines (papeletas) by DNI, licence, plate or ticket number.',
    description:
      'Fines are a percentage of the UIT: minor 4 %, serious 8 %, very serious 12 % to 100 %. Paying within 5 business days gives an 83 % discount (not for very serious codes M01–M08); unpaid fines go to coactive collection.',
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Supremo 016-2009-MTC, Texto Único Ordenado del Reglamento Nacional de Tránsito'],
    requirements: [],
    channels: [
      { kind: 'ONLINE', url: 'https://www.sat.gob.pe', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['sat-lima-centro'] },
    ],
  },
  {
    slug: 'inscribirse-en-el-ruc',
    agencyCode: 'SUNAT',
    title: 'Inscribirse en el RUC',
    summary: 'Inscripción al RUC as a natural person: get your taxpayer number and Clave SOL.',
    description:
      'Your RUC will be 10 + your DNI + a check digit. The Clave SOL password can be obtained online with a remote fingerprint check against RENIEC.',
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Legislativo 943, Ley del Registro Único de Contribuyentes', 'Resolución de Superintendencia 210-2004/SUNAT'],
    requirements: [
      { kind: 'STATUS_CHECK', code: 'dni-valid' },
      { kind: 'STATUS_CHECK', code: 'ruc-not-registered' },
    ],
    channels: [
      { kind: 'ONLINE', url: 'https://www.sunat.gob.pe', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['sunat-lima-centro', 'mac-lima-norte', 'mac-lima-este'] },
    ],
  },
  {
    slug: 'consultar-deuda-tributaria',
    informationOnly: true,
    agencyCode: 'SUNAT',
    title: 'Consultar deuda tributaria',
    summary: 'See your pending tax debts, their interest and whether they are in coactive collection.',
    description:
      'In SUNAT Operaciones en Línea, "Revisión de mis deudas / valores pendientes". A Resolución de Ejecución Coactiva gives 7 business days to pay.',
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Supremo 133-2013-EF, Texto Único Ordenado del Código Tributario'],
    requirements: [{ kind: 'STATUS_CHECK', code: 'ruc-active' }],
    channels: [{ kind: 'ONLINE', url: 'https://www.sunat.gob.pe', appointmentRequired: false, officeIds: [] }],
  },
  {
    slug: 'consultar-record-del-conductor',
    informationOnly: true,
    agencyCode: 'MTC',
    title: 'Consultar récord del conductor',
    summary: "A driver's record: infractions and points, by DNI, licence number or name.",
    description:
      'Public since 2016. Points add up per infraction; 100 points in 24 months suspend the licence for 6 months (1 year the second time, cancellation the third).',
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Resolución Ministerial 856-2016-MTC'],
    requirements: [],
    channels: [{ kind: 'ONLINE', url: 'https://recordconductor.mtc.gob.pe', appointmentRequired: false, officeIds: [] }],
  },
  {
    slug: 'consulta-vehicular',
    informationOnly: true,
    agencyCode: 'SUNARP',
    title: 'Consulta vehicular',
    summary: "A vehicle's registry data by plate: make, model, theft alerts and registry status.",
    description: "Free. The owner's history needs a paid certificate.",
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Ley 26366, Sistema Nacional y Superintendencia de los Registros Públicos'],
    requirements: [],
    channels: [{ kind: 'ONLINE', url: 'https://consultavehicular.sunarp.gob.pe', appointmentRequired: false, officeIds: [] }],
  },
  {
    slug: 'duplicado-de-tive',
    agencyCode: 'SUNARP',
    title: 'Duplicado de Tarjeta de Identificación Vehicular (TIVE)',
    summary: 'Duplicado de la TIVE: replace the vehicle identification card of a vehicle you own.',
    description:
      'Your identity is checked with a biometric reader against RENIEC. The electronic TIVE arrives by e-mail and can be downloaded from Síguelo.',
    // Paid at the SUNARP counter: there is no código de tributo to quote.
    fee: { amount: '40.00', uitPercent: null, asOf: '2025-01-01', paymentCode: null },
    processingDays: 3,
    approval: 'EVALUATION_POSITIVE_SILENCE',
    legalBasis: ['Resolución 039-2013-SUNARP-SN, Reglamento de Inscripciones del Registro de Propiedad Vehicular'],
    requirements: [
      { kind: 'STATUS_CHECK', code: 'dni-valid' },
      { kind: 'STATUS_CHECK', code: 'vehicle-owner' },
    ],
    channels: [{ kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['sunarp-lima', 'mac-lima-este'] }],
  },
  {
    slug: 'copia-certificada-de-acta-de-nacimiento',
    agencyCode: 'RENIEC',
    title: 'Copia certificada de acta de nacimiento',
    summary: 'A certified copy of your birth record, as a PDF with a QR code verifiable online.',
    description: "Online in minutes when the record is digitised in RENIEC's registry; minors' records only for their parents.",
    fee: { amount: '10.30', uitPercent: null, asOf: '2025-01-01', paymentCode: '02141' },
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Ley 26497, Ley Orgánica del RENIEC'],
    requirements: [{ kind: 'STATUS_CHECK', code: 'birth-record-digitised' }],
    channels: [
      { kind: 'ONLINE', url: 'https://www.gob.pe/reniec', appointmentRequired: false, officeIds: [] },
      { kind: 'IN_PERSON', url: null, appointmentRequired: false, officeIds: ['reniec-lima-centro', 'mac-lima-norte'] },
    ],
  },
  {
    slug: 'pasaporte-electronico',
    agencyCode: 'MIGRACIONES',
    title: 'Pasaporte electrónico',
    summary: 'Get or renew your electronic passport, valid for 5 years.',
    description: 'In person with an appointment. Unpaid electoral fines (JNE) may block it.',
    fee: { amount: '98.60', uitPercent: null, asOf: '2025-01-01', paymentCode: '01810' },
    processingDays: 1,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Legislativo 1350, Ley de Migraciones'],
    requirements: [{ kind: 'STATUS_CHECK', code: 'dni-valid' }],
    channels: [{ kind: 'IN_PERSON', url: null, appointmentRequired: true, officeIds: ['migraciones-brena', 'mac-lima-norte'] }],
  },
  {
    slug: 'declaracion-anual-de-renta',
    agencyCode: 'SUNAT',
    title: 'Declaración anual del impuesto a la renta',
    summary: 'Declaración jurada anual: file your yearly income tax return as a natural person.',
    description:
      'With Formulario Virtual 709 on SUNAT Virtual or App Personas, pre-filled with your income, expenses and withholdings. Deadlines go by the last digit of your RUC.',
    fee: FREE,
    processingDays: 0,
    approval: 'AUTOMATIC',
    legalBasis: ['Decreto Supremo 179-2004-EF, Texto Único Ordenado de la Ley del Impuesto a la Renta'],
    requirements: [{ kind: 'STATUS_CHECK', code: 'ruc-active' }],
    channels: [{ kind: 'ONLINE', url: 'https://www.sunat.gob.pe', appointmentRequired: false, officeIds: [] }],
  },
  {
    // Not in the brief's twelve: added so that a procedure asks for no-tax-debt, SUNAT's own verdict.
    // Requirements and days are illustrative: SUNAT offsets a refund against pending debts first.
    slug: 'solicitar-devolucion-de-renta',
    agencyCode: 'SUNAT',
    title: 'Solicitar devolución del saldo a favor del impuesto a la renta',
    summary: 'Ask SUNAT to refund the income tax you overpaid, as declared in your annual return.',
    description:
      'Filed online with Formulario Virtual 1649 on SUNAT Virtual, after the annual return. A refund is first offset against any tax debt, so it is only paid out when you owe nothing.',
    fee: FREE,
    processingDays: 45,
    approval: 'EVALUATION_POSITIVE_SILENCE',
    legalBasis: ['Decreto Supremo 133-2013-EF, Texto Único Ordenado del Código Tributario, art. 38 and 40'],
    requirements: [
      { kind: 'STATUS_CHECK', code: 'ruc-active' },
      { kind: 'STATUS_CHECK', code: 'no-tax-debt' },
    ],
    channels: [{ kind: 'ONLINE', url: 'https://www.sunat.gob.pe', appointmentRequired: false, officeIds: [] }],
  },
];
