import { addBusinessDays } from '../shared/businessDays.js';
import { isoDate, todayInPeru } from '../shared/calendar.js';
import type { Database } from '../shared/db.js';

/**
 * The day an application is due: its procedure's processing days, in business days, from the Peruvian
 * day it was submitted. Fixed at submission and stored with the application (the queue sorts by it).
 */
export function dueOnFor(submittedAt: string | Date, processingDays: number): string {
  return addBusinessDays(isoDate(todayInPeru(new Date(submittedAt))), processingDays);
}

/**
 * Gives every application stored before due dates were (migration 006) its due date, then makes the
 * column required: the holidays live in code, so SQL could not fill it. Idempotent and cheap when
 * there is nothing to fill; run before the portal serves.
 */
export async function fillDueDates(db: Database): Promise<number> {
  const missing = await db.query<{ id: string; submittedAt: string; processingDays: number }>(
    `SELECT a.id, a.submitted_at AS "submittedAt", p.processing_days AS "processingDays"
       FROM applications a JOIN procedures p ON p.slug = a.procedure_slug WHERE a.due_on IS NULL`,
  );
  if (missing.rows.length > 0) {
    await db.query(
      `UPDATE applications SET due_on = given.due_on
         FROM unnest($1::text[], $2::date[]) AS given(id, due_on) WHERE applications.id = given.id`,
      [missing.rows.map((row) => row.id), missing.rows.map((row) => dueOnFor(row.submittedAt, row.processingDays))],
    );
  }
  const column = await db.query<{ nullable: string }>(
    `SELECT is_nullable AS nullable FROM information_schema.columns WHERE table_name = 'applications' AND column_name = 'due_on'`,
  );
  if (column.rows[0]?.nullable === 'YES') await db.query('ALTER TABLE applications ALTER COLUMN due_on SET NOT NULL');
  return missing.rows.length;
}
