import { dniCheckCharacters } from '../dni.js';
import type { IdentityDocument as Document } from '../loaders.js';

export const IdentityDocument = {
  /** The digit form only, so that the field has one answer per DNI; the letter form encodes the same check. */
  checkCharacter: (document: Document) => dniCheckCharacters(document.number).digit,
};
