/** Since 2010: a region letter, two letters or digits, and three digits, e.g. A1B-234. */
const CURRENT_PLATE = /^([A-Z][A-Z0-9]{2})-?(\d{3})$/;
/** Pre-2010 plates still on the road: two letters and four digits, e.g. AB-1234. */
const LEGACY_PLATE = /^([A-Z]{2})-?(\d{4})$/;

/**
 * A plate as the registry writes it (upper case, with the hyphen), or null when `input` is no plate.
 * People type plates every which way ("a1b234", "A1B-234"); they all name the same vehicle.
 */
export function normalisePlate(input: string): string | null {
  const plate = input.trim().toUpperCase();
  // Legacy first: without a hyphen "AB1234" fits both patterns, and AB-1234 is the likelier reading
  // (2010 plates are usually letter-digit-letter, e.g. A1B-234). With a hyphen there is no doubt.
  const match = LEGACY_PLATE.exec(plate) ?? CURRENT_PLATE.exec(plate);
  return match ? `${match[1]}-${match[2]}` : null;
}
