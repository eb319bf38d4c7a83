// Search keys for names. PS3.18 8.3.4.1 / PS3.4 C.2.2.2.1: fuzzymatching on
// PN attributes is implementation-defined; ours is case-, accent- and
// caret-insensitive: "Müller^Hans" is found by "muller hans", "MULLER^H*".

/** Upper-case, accents stripped, component separators (^ and =) and spaces folded to one space. */
export function normalizeForSearch(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'SS')
    .toUpperCase()
    .replace(/[\^=\s]+/g, ' ')
    .trim();
}

/**
 * The searchable form of a PN value: the first (alphabetic) component group
 * plus the ideographic/phonetic ones, each normalized, so that a search for the
 * Latin, Japanese or Korean spelling matches.
 */
export function personNameSearchKey(pn: string): string {
  return pn
    .split('=')
    .map(normalizeForSearch)
    .filter((part) => part.length > 0)
    .join(' = ');
}
