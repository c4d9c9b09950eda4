/**
 * How catalogue text and search input are made comparable: lower case, accents stripped, so that
 * "renovacion" finds "Renovación". The seed stores `searchKey(title + summary)` in `search_text`, and
 * queries go through the same function: one normalisation, never two that could drift apart.
 */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The words of a search, each normalised; a procedure matches when its text contains all of them. */
export function searchWords(search: string | null | undefined): string[] {
  if (!search) return [];
  return searchKey(search).split(' ').filter(Boolean);
}
