import { describe, expect, it } from 'vitest';
import type { DrivingLicence } from '../../subgraphs/transport/loaders.js';
import { medicalExamVerdict, revalidableVerdict, unpaidFinesVerdict, vehicleOwnerVerdict } from '../../subgraphs/transport/requirements.js';
import type { MedicalExamRow, TrafficFineRow } from '../../subgraphs/transport/store.js';

const TODAY = '2026-03-01';
const MET = { status: 'MET', detail: null };

const licence = (changes: Partial<DrivingLicence> = {}): DrivingLicence => ({
  dni: '41234567',
  number: 'Q41234567',
  class: 'A_I',
  issuedOn: '2016-03-20',
  expiresOn: '2026-03-20',
  status: 'VALID',
  points: 0,
  ...changes,
});
const exam = (changes: Partial<MedicalExamRow> = {}): MedicalExamRow => ({
  dni: '41234567',
  takenOn: '2026-02-10',
  result: 'APPROVED',
  centre: 'Clínica del Conductor Callao',
  validUntil: '2026-08-11',
  ...changes,
});
const fine = (number: string, status: TrafficFineRow['status'], amount = '214.00'): TrafficFineRow => ({
  number,
  dni: '41234567',
  plate: null,
  code: 'L02',
  description: 'Estacionar en zona prohibida por la señalización.',
  amount,
  issuedOn: '2025-03-14',
  status,
});

describe('unpaidFinesVerdict', () => {
  it('is met when every fine is paid or annulled', () => {
    expect(unpaidFinesVerdict([fine('SAT-1', 'PAID'), fine('SAT-2', 'ANNULLED')])).toEqual(MET);
  });

  it('names one unpaid fine in the singular', () => {
    expect(unpaidFinesVerdict([fine('SAT-2025-0000123', 'UNPAID'), fine('SAT-2023-0000089', 'PAID')])).toEqual({
      status: 'NOT_MET',
      detail: '1 papeleta sin pagar: SAT-2025-0000123 L02 S/ 214.00. Primero págala (trámite pagar-papeletas).',
    });
  });

  it('counts a fine in coactive collection as unpaid, says so, and lists fines oldest first', () => {
    // Loaded newest first.
    const fines = [fine('SAT-2025-0000457', 'UNPAID', '428.00'), fine('SAT-2023-0000012', 'IN_COACTIVE_COLLECTION', '1980.00')];
    expect(unpaidFinesVerdict(fines)).toEqual({
      status: 'NOT_MET',
      detail:
        '2 papeletas sin pagar: SAT-2023-0000012 L02 S/ 1,980.00 (en cobranza coactiva), SAT-2025-0000457 L02 S/ 428.00. ' +
        'Primero págalas (trámite pagar-papeletas).',
    });
  });
});

describe('medicalExamVerdict', () => {
  it('is met by an approved exam still valid today, the last day included', () => {
    expect(medicalExamVerdict(exam(), TODAY)).toEqual(MET);
    expect(medicalExamVerdict(exam({ validUntil: TODAY }), TODAY)).toEqual(MET);
  });

  it('is not met without an exam, by a REJECTED one, or by one no longer valid', () => {
    expect(medicalExamVerdict(null, TODAY).status).toBe('NOT_MET');
    expect(medicalExamVerdict(exam({ result: 'REJECTED' }), TODAY)).toEqual({
      status: 'NOT_MET',
      detail: 'Tu último examen médico (2026-02-10, Clínica del Conductor Callao) no fue aprobado.',
    });
    expect(medicalExamVerdict(exam({ takenOn: '2025-08-01', validUntil: '2026-01-30' }), TODAY)).toEqual({
      status: 'NOT_MET',
      detail: 'Tu examen médico del 2025-08-01 estuvo vigente hasta el 2026-01-30: hazte uno nuevo.',
    });
  });
});

describe('revalidableVerdict', () => {
  it('is met within 60 days of expiry and after it', () => {
    expect(revalidableVerdict(licence(), TODAY)).toEqual(MET);
    expect(revalidableVerdict(licence({ expiresOn: '2026-01-10', status: 'EXPIRED' }), TODAY)).toEqual(MET);
  });

  it('is not met before the window opens', () => {
    expect(revalidableVerdict(licence({ expiresOn: '2026-06-01' }), TODAY)).toEqual({
      status: 'NOT_MET',
      detail: 'Tu licencia de conducir está vigente hasta el 2026-06-01: puedes revalidarla desde el 2026-04-02.',
    });
  });

  it('is not met for a SUSPENDED or a CANCELLED licence, even within the window', () => {
    expect(revalidableVerdict(licence({ status: 'SUSPENDED' }), TODAY)).toEqual({
      status: 'NOT_MET',
      detail: 'Tu licencia de conducir Q41234567 está suspendida: no se puede revalidar hasta que termine la suspensión.',
    });
    expect(revalidableVerdict(licence({ status: 'CANCELLED' }), TODAY)).toEqual({
      status: 'NOT_MET',
      detail: 'Tu licencia de conducir Q41234567 está cancelada: no se puede revalidar.',
    });
  });

  it('is not met without a licence', () => {
    expect(revalidableVerdict(null, TODAY)).toEqual({ status: 'NOT_MET', detail: 'No tienes ninguna licencia de conducir que revalidar: tramita una nueva.' });
  });
});

describe('vehicleOwnerVerdict', () => {
  it('is met by owning a vehicle, not met otherwise', () => {
    expect(vehicleOwnerVerdict([{ plate: 'BKR-512', ownerDni: '41234567', make: 'Toyota', model: 'Yaris', year: 2019, colour: 'Plata' }])).toEqual(MET);
    expect(vehicleOwnerVerdict([])).toEqual({ status: 'NOT_MET', detail: 'No tienes ningún vehículo registrado a tu nombre.' });
  });
});
