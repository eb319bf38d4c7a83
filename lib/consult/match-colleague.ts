// Who a person means when they type into "Invite colleagues": a suggestion
// picked from the list, an e-mail, or a name ("Erik", "erik exp"). Pure, so
// the form (to answer before Start) and startConsultation (for API callers
// and a Start pressed with text still in the box) decide the same way.

export interface InvitableColleague {
  id: string;
  email: string;
  name: string;
  /** Names of the facilities the colleague belongs to */
  facilities: string[];
}

export type ColleagueMatch =
  | { kind: 'one'; colleague: InvitableColleague }
  | { kind: 'none'; message: string }
  | { kind: 'several'; colleagues: InvitableColleague[]; message: string };

/** How a colleague is shown, in the suggestions and on the chip: the person first, then where they work. */
export function colleagueLabel(colleague: Pick<InvitableColleague, 'name' | 'email' | 'facilities'>): string {
  const where = colleague.facilities.length ? ` (${colleague.facilities.join(', ')})` : '';
  return colleague.name ? `${colleague.name} — ${colleague.email}${where}` : `${colleague.email}${where}`;
}

/** Lower case, accents dropped ("Inès" is typed "ines"), spaces collapsed. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const MAX_NAMED = 4;

function several(typed: string, colleagues: InvitableColleague[]): ColleagueMatch {
  const named = colleagues.slice(0, MAX_NAMED).map((colleague) => `${colleague.name} (${colleague.email})`);
  const more = colleagues.length > MAX_NAMED ? ` and ${colleagues.length - MAX_NAMED} more` : '';
  return {
    kind: 'several',
    colleagues,
    message: `“${typed}” matches ${colleagues.length} colleagues: ${named.join(', ')}${more}. Type more of the name, or pick one from the list.`,
  };
}

/**
 * The colleague `typed` names: an exact suggestion, id or e-mail first; then a
 * full name; then every typed word the start of a word of the name (any
 * order), or the start of the e-mail, whole words first. None or several is
 * a message that says so.
 */
export function matchColleague(colleagues: readonly InvitableColleague[], typed: string): ColleagueMatch {
  const raw = typed.trim();
  const text = fold(raw);
  if (!text) return { kind: 'none', message: 'Type a colleague’s name or e-mail.' };
  const exact = colleagues.find((colleague) => colleague.id === raw || colleague.email === text || fold(colleagueLabel(colleague)) === text);
  if (exact) return { kind: 'one', colleague: exact };
  const byName = colleagues.filter((colleague) => fold(colleague.name) === text);
  if (byName.length === 1) return { kind: 'one', colleague: byName[0] };
  if (byName.length > 1) return several(raw, byName);
  const words = text.split(' ');
  const partial = colleagues.filter((colleague) => {
    const nameWords = fold(colleague.name).split(' ');
    return words.every((word) => nameWords.some((nameWord) => nameWord.startsWith(word))) || colleague.email.startsWith(text);
  });
  if (partial.length === 1) return { kind: 'one', colleague: partial[0] };
  // "Erik" means Erik Berg rather than Erika Lund when he is the only one with that whole word
  const wholeWords = partial.filter((colleague) => words.every((word) => fold(colleague.name).split(' ').includes(word)));
  if (wholeWords.length === 1) return { kind: 'one', colleague: wholeWords[0] };
  if (partial.length > 1) return several(raw, wholeWords.length > 1 ? wholeWords : partial);
  return {
    kind: 'none',
    message: `No colleague matches “${raw}”. Check the spelling, or type their e-mail; only active Telepacs accounts of this node can be invited.`,
  };
}
