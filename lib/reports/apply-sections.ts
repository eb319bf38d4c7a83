// Puts what an editor sent into a version's sections: by key, titles kept as
// the template made them. An unknown key is refused (it would be lost); an
// addendum may write only its Addendum section (the signed text above it is locked).
import { DomainError } from '../errors';
import { ADDENDUM_SECTION, type ReportSection, type SectionInput, type VersionKind } from './report-types';

export function applySections(current: ReportSection[], input: SectionInput[] | undefined, kind: VersionKind): ReportSection[] {
  if (!input) return current;
  const next = current.map((section) => ({ ...section }));
  for (const change of input) {
    const section = next.find((candidate) => candidate.key === change.key);
    if (!section) throw new DomainError('INVALID_INPUT', `unknown section ${change.key}`, { userMessage: 'The report has no such section.', fields: { sections: `No section "${change.key}"` } });
    const changes = section.text !== change.text || (change.pick !== undefined && (section.pick ?? null) !== change.pick);
    if (kind === 'ADDENDUM' && section.key !== ADDENDUM_SECTION.key && changes) {
      throw new DomainError('INVALID_INPUT', 'an addendum changes only its own section', { userMessage: 'An addendum adds text; the signed sections cannot change. Amend the report to change them.', fields: { sections: `"${section.title}" is signed` } });
    }
    section.text = change.text.normalize('NFC');
    if (change.pick !== undefined) section.pick = change.pick;
  }
  return next;
}

/**
 * Nothing to sign: an addendum without its text; a report without an
 * impression (the conclusion a referrer reads; the shipped templates fill
 * Technique and Comparison in advance, so "some text" would not do), or, in a
 * template without an Impression section, without any text at all.
 */
export function isEmptyReport(sections: ReportSection[], kind: VersionKind): boolean {
  const written = (key: string) => sections.some((section) => section.key === key && section.text.trim() !== '');
  if (kind === 'ADDENDUM') return !written(ADDENDUM_SECTION.key);
  if (sections.some((section) => section.key === 'impression')) return !written('impression');
  return sections.every((section) => section.text.trim() === '');
}
