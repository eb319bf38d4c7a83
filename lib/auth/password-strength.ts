// Password strength: a length alone lets "Password123!" through. zxcvbn-ts
// (the maintained successor of Dropbox's zxcvbn) estimates how many guesses an
// attacker who knows common passwords, words, keyboard patterns, dates and the
// person's own details would need. NIST SP 800-63B 5.1.1.2 asks for exactly
// this: refuse passwords from breach corpora, dictionary words, and
// context-specific words (the service's name, the user's name and email).
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * zxcvbn's score 3: at least 10^8 guesses ("safely unguessable: moderate
 * protection from an offline slow-hash scenario"); our hash is argon2id and
 * online guessing is throttled. Passphrases of three or four words pass.
 */
export const MIN_PASSWORD_SCORE = 3;

/** Words of this service that anyone guessing a Telepacs password would try first. */
const SERVICE_WORDS = ['telepacs', 'pacs', 'dicom', 'radiology', 'hospital', 'clinic', 'teleconsultation'];

let estimator: ZxcvbnFactory | undefined;

// Built on first use (~100 ms, the dictionaries). No Levenshtein matching: it
// costs 100-300 ms of blocked event loop per check, and the dictionary, l33t
// and pattern matchers already catch the common variations.
function getEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    useLevenshteinDistance: false,
  });
  return estimator;
}

export type PasswordStrength =
  | { acceptable: true; score: number }
  /** message: the estimator's warning and suggestions, in words, for the person choosing it */
  | { acceptable: false; score: number; message: string };

/** The email, its local part and its pieces ("ines.moreau" → "ines", "moreau"), the name and its words. */
function personalWords(person: { email?: string; name?: string }): string[] {
  const words = new Set<string>();
  const add = (value: string | undefined) => {
    const trimmed = value?.trim().toLowerCase();
    if (!trimmed) return;
    // "Inès" is typed "ines" as often as not
    for (const form of new Set([trimmed, trimmed.normalize('NFD').replace(/\p{M}/gu, '')])) {
      words.add(form);
      for (const piece of form.split(/[^\p{L}\p{N}]+/u)) if (piece.length >= 3) words.add(piece);
    }
  };
  add(person.email);
  add(person.email?.split('@')[0]);
  add(person.name);
  return [...words];
}

/** How hard the password is to guess for someone who knows this person's email and name. */
export function estimatePasswordStrength(password: string, person: { email?: string; name?: string } = {}): PasswordStrength {
  const result = getEstimator().check(password, [...personalWords(person), ...SERVICE_WORDS]);
  if (result.score >= MIN_PASSWORD_SCORE) return { acceptable: true, score: result.score };
  const { warning, suggestions } = result.feedback;
  const parts = [warning ?? 'This password is too easy to guess.', ...suggestions];
  if (!suggestions.length) parts.push('Use a few unrelated words, such as a short sentence only you would make up.');
  return { acceptable: false, score: result.score, message: parts.join(' ') };
}
